"""The organisers' registrations list of a busy fair: a heading, pages of 25, sorting by name,
date, status or role (?sort=, "-" for descending), ticking and approving from any page, and a
number of SQL statements that does not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.events.models import Event, Registration, RegistrationProduct
from app.events.registrations.routes import REGISTRATIONS_PER_PAGE
from tests.conftest import queries_of, text_of

STATUSES = ("approved", "pending", "waitlisted", "rejected")


def _fill(db, event, make_producer, make_product, names):
    """One exhibitor registration per name, applied a minute apart, with a product each."""
    start = clock.now() - timedelta(days=1)
    for n, name in enumerate(names):
        organisation = make_producer(name=name)
        product = make_product(organisation=organisation)
        registration = Registration(
            event=event,
            organisation=organisation,
            role="exhibitor",
            status=STATUSES[n % len(STATUSES)],
            created_at=start + timedelta(minutes=n),
        )
        registration.product_rows.append(RegistrationProduct(product=product))
        db.session.add(registration)
    db.session.commit()


def _names(html, response):
    assert response.status_code == 200
    return [text_of(row.select("td")[1].a) for row in html(response).select("main table tbody tr")]


def test_a_long_list_has_a_heading_pages_and_sorting(
    client, login, organiser, make_event, make_producer, make_product, db, html
):
    event = make_event(organiser=organiser, exhibitor_capacity=100)
    names = [f"HTX {chr(ord('Z') - n // 2)}{n:02d}" for n in range(30)]  # applied Z.., then A..
    _fill(db, event, make_producer, make_product, names)
    login(organiser)
    url = f"/manage/events/{event.id}/registrations"

    first = client.get(url)
    heading = html(first).h1
    assert heading is not None and event.name_vi in text_of(heading)
    assert _names(html, first) == names[:REGISTRATIONS_PER_PAGE]  # by date of application
    assert _names(html, client.get(url + "?page=2")) == names[REGISTRATIONS_PER_PAGE:]
    assert html(first).select_one("nav .pagination a[href*='page=2']") is not None

    by_name = sorted(names, key=str.lower)
    assert _names(html, client.get(url + "?sort=name")) == by_name[:REGISTRATIONS_PER_PAGE]
    assert _names(html, client.get(url + "?sort=-name")) == by_name[::-1][:REGISTRATIONS_PER_PAGE]
    assert _names(html, client.get(url + "?sort=-date")) == names[::-1][:REGISTRATIONS_PER_PAGE]
    by_status = _names(html, client.get(url + "?sort=status"))
    statuses = {name: STATUSES[n % len(STATUSES)] for n, name in enumerate(names)}
    assert [statuses[name] for name in by_status[:8]] == ["pending"] * 8  # what needs a decision first
    assert _names(html, client.get(url + "?sort=role")) == names[:REGISTRATIONS_PER_PAGE]
    assert _names(html, client.get(url + "?sort=nonsense")) == names[:REGISTRATIONS_PER_PAGE]
    # The column headers sort, and a second click reverses.
    header = html(client.get(url + "?sort=name")).select_one("th[aria-sort=ascending] a")
    assert "sort=-name" in header["href"]


def test_approving_from_the_second_page_comes_back_to_it(
    client, login, organiser, make_open_event, make_producer, make_product, db, html
):
    event = make_open_event(organiser, exhibitor_capacity=100)
    _fill(db, event, make_producer, make_product, [f"HTX Chè {n:02d}" for n in range(30)])
    login(organiser)
    waiting = db.session.scalars(
        select(Registration.id)
        .where(Registration.status == "pending")
        .order_by(Registration.created_at.desc())
    ).first()
    response = client.post(
        f"/manage/events/{event.id}/registrations/decide",
        data={"ids": [str(waiting)], "action": "approve", "role": "exhibitor", "sort": "name", "page": "2"},
    )
    assert response.status_code == 302
    assert "sort=name" in response.headers["Location"] and "page=2" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Registration, waiting).status == "approved"


def test_the_list_sends_as_many_statements_for_5_rows_as_for_25(
    client, login, organiser, make_event, make_producer, make_product, db
):
    small = make_event(organiser=organiser, exhibitor_capacity=100)
    large = make_event(organiser=organiser, exhibitor_capacity=100)
    _fill(db, small, make_producer, make_product, [f"HTX Nhỏ {n}" for n in range(5)])
    _fill(db, large, make_producer, make_product, [f"HTX Lớn {n}" for n in range(40)])
    login(organiser)
    for sort in ("date", "name", "-status"):
        few = queries_of(client, f"/manage/events/{small.id}/registrations?sort={sort}")
        many = queries_of(client, f"/manage/events/{large.id}/registrations?sort={sort}")
        assert few == many, sort


def test_others_may_not_open_the_list(client, login, make_event, make_user, exhibitor, db):
    event = make_event()
    other_organiser = make_user(role="organiser")
    db.session.commit()
    for user in (exhibitor, other_organiser):
        login(user)
        assert client.get(f"/manage/events/{event.id}/registrations?sort=name").status_code in (403, 404)
        client.post("/logout")
    assert db.session.scalar(select(Event.id).where(Event.id == event.id)) == event.id
