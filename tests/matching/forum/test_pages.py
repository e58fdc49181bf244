"""The forum's pages: who may open them (every route), what a participant does through them, the
organiser's list, and the browse page's statement count that does not grow with the fair."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.events.registrations import services as reg
from app.extensions import db as _db
from app.matching.forum import services
from app.matching.models import ForumRequest
from tests.conftest import NOW, queries_of, text_of
from tests.pages import flashes


def _login(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
    assert response.status_code == 302
    client.get("/?lang=en")  # the pages below are read in English (the visit keeps the language)


def _participant_routes(forum, row_id):
    slug = forum.event.slug
    other = forum.producers[1].id
    return [
        ("get", f"/my/events/{slug}/forum", {}),
        ("get", f"/my/events/{slug}/forum/requests", {}),
        ("post", f"/my/events/{slug}/forum/request", {"other": other}),
        ("post", f"/my/events/{slug}/forum/requests/{row_id}/answer", {"answer": "accept"}),
        ("post", f"/my/events/{slug}/forum/requests/{row_id}/cancel", {}),
        ("post", f"/my/events/{slug}/forum/block", {"other": other}),
    ]


def _organiser_routes(forum, row_id):
    base = f"/manage/events/{forum.event.id}/matching/{forum.session.id}/forum"
    return [
        ("get", base, {}),
        ("post", base, {"first": forum.producers[0].id, "second": forum.buyers[1].id}),
        ("post", f"{base}/{row_id}/status", {"status": "declined"}),
        ("post", f"{base}/{row_id}/part", {"part_of_day": "morning"}),
        ("get", f"{base}/{row_id}/remove", {}),
        ("post", f"{base}/{row_id}/remove", {}),
    ]


@pytest.fixture()
def asked(forum):
    """An open request from buyer 1 to producer 1, committed."""
    b1, p1 = forum.buyers[0], forum.producers[0]
    row = services.request_meeting(forum.user(b1), forum.session, b1, p1.id).row
    _db.session.commit()
    return row


def test_anonymous_visitors_are_sent_to_log_in_everywhere(client, forum, asked):
    for method, url, data in _participant_routes(forum, asked.id) + _organiser_routes(forum, asked.id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_another_events_participant_is_refused(
    client, forum, asked, make_open_event, make_user, make_producer, make_product
):
    organisation = make_producer()
    stranger = make_user(role="exhibitor", organisation=organisation)
    other_event = make_open_event(forum.organiser)
    elsewhere = reg.apply_as_exhibitor(stranger, other_event, [make_product(organisation).id], now=NOW)
    reg.approve(forum.organiser, elsewhere, now=NOW)
    _db.session.commit()
    _login(client, stranger)
    for method, url, data in _participant_routes(forum, asked.id):
        assert getattr(client, method)(url, data=data).status_code == 403, url
    for method, url, data in _organiser_routes(forum, asked.id):
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert _db.session.scalar(select(ForumRequest.id).where(ForumRequest.id != asked.id)) is None


def test_another_organiser_is_refused_and_a_participant_cannot_answer_a_request_not_its_own(
    client, forum, asked, make_user
):
    _login(client, make_user(role="organiser"))
    for method, url, data in _organiser_routes(forum, asked.id):
        assert getattr(client, method)(url, data=data).status_code == 403, url
    # A participant of the event, not a party to the request: 403, nothing changes.
    _login(client, forum.user(forum.buyers[1]))
    slug = forum.event.slug
    for action in ("answer", "cancel"):
        response = client.post(
            f"/my/events/{slug}/forum/requests/{asked.id}/{action}", data={"answer": "accept"}
        )
        assert response.status_code == 403
    _db.session.expire_all()
    assert _db.session.get(ForumRequest, asked.id).status == "open"
    # And the organiser's pages are not the participants'.
    for method, url, data in _organiser_routes(forum, asked.id):
        assert getattr(client, method)(url, data=data).status_code == 403, url


def test_pages_of_an_event_without_a_forum_are_not_found(client, fair, forum, asked):
    from app.matching.models import MatchingSession

    bipartite = fair.session()
    _db.session.commit()
    _login(client, forum.organiser)
    base = f"/manage/events/{forum.event.id}/matching/{bipartite.id}/forum"
    assert client.get(base).status_code == 404
    _db.session.delete(_db.session.get(MatchingSession, forum.session.id))
    _db.session.commit()
    _login(client, forum.user(forum.buyers[0]))
    assert client.get(f"/my/events/{forum.event.slug}/forum").status_code == 404


def test_a_participant_requests_and_the_other_accepts_through_the_pages(client, forum, html):
    (p1, p2), slug = forum.producers, forum.event.slug
    _db.session.commit()
    _login(client, forum.user(p1))
    page = html(client.get(f"/my/events/{slug}/forum"))
    card = page.select_one(f'[data-participant="{p2.id}"]')
    assert card.select_one("[data-pair-state]")["data-pair-state"] == "none"
    assert page.select_one(f'[data-participant="{p1.id}"]') is None  # not oneself
    response = client.post(
        f"/my/events/{slug}/forum/request",
        data={"other": p2.id, "note": "Chung bao bì", "back": f"/my/events/{slug}/forum?role=exhibitor"},
        follow_redirects=True,
    )
    assert "Your request was sent." in flashes(html(response))
    assert response.request.path == f"/my/events/{slug}/forum"
    card = html(response).select_one(f'[data-participant="{p2.id}"]')
    assert card.select_one("[data-pair-state]")["data-pair-state"] == "asked"
    # Asked twice: refused with the reason.
    again = client.post(f"/my/events/{slug}/forum/request", data={"other": p2.id}, follow_redirects=True)
    assert any("already asked" in text for text in flashes(html(again)))
    # The other side: the request waits on its page, and asking back is accepting.
    _login(client, forum.user(p2))
    mine = html(client.get(f"/my/events/{slug}/forum/requests"))
    assert [li["data-other"] for li in mine.select("#incoming [data-request]")] == [str(p1.id)]
    assert "Chung bao bì" in text_of(mine.select_one("#incoming"))
    both = client.post(f"/my/events/{slug}/forum/request", data={"other": p1.id}, follow_redirects=True)
    assert any("already asked you" in text for text in flashes(html(both)))
    assert [r.status for r in _db.session.scalars(select(ForumRequest))] == ["accepted"]
    # A request to oneself is refused with a message, nothing written.
    refused = client.post(f"/my/events/{slug}/forum/request", data={"other": p2.id}, follow_redirects=True)
    assert any("yourself" in text for text in flashes(html(refused)))


def test_the_participants_matching_page_links_the_forum(client, forum):
    _db.session.commit()
    _login(client, forum.user(forum.buyers[0]))
    page = client.get(f"/my/events/{forum.event.slug}/matching").get_data(as_text=True)
    assert f"/my/events/{forum.event.slug}/forum" in page


def test_the_browse_page_filters_and_sorts(client, forum, html, make_producer, make_user, make_product):
    organisation = make_producer(name="Công ty Bao bì Hà Nội", province_code="01")
    user = make_user(role="exhibitor", organisation=organisation)
    item = make_product(
        organisation, name_vi="Hộp giấy kraft", category="handicrafts", ocop_group="souvenirs"
    )
    reg.approve(forum.organiser, reg.apply_as_exhibitor(user, forum.event, [item.id], now=NOW), now=NOW)
    _db.session.commit()
    _login(client, forum.user(forum.buyers[0]))
    url = f"/my/events/{forum.event.slug}/forum"

    def names(query):
        page = html(client.get(url + query))
        return [text_of(card.select_one("h2")) for card in page.select("[data-participant]")]

    assert len(names("")) == 4  # the three others of the fixture, and the packaging firm
    assert names("?q=kraft") == ["Công ty Bao bì Hà Nội"]
    assert names("?group=souvenirs") == ["Công ty Bao bì Hà Nội"]
    assert names("?province=01") == ["Công ty Bao bì Hà Nội"]
    assert len(names("?role=buyer")) == 1
    assert "Công ty Bao bì Hà Nội" not in names("?role=buyer")
    assert names("?sort=province")[0] == "Công ty Bao bì Hà Nội"  # 01 before 22
    assert names("?q=honey")  # a category word finds who offers or seeks honey
    assert "No participant matches" in client.get(url + "?q=zzzzzz").get_data(as_text=True)


def test_the_browse_page_costs_the_same_statements_however_many_participants(client, fair, forum):
    b1 = forum.buyers[0]
    _db.session.commit()
    _login(client, forum.user(b1))
    url = f"/my/events/{forum.event.slug}/forum"
    few = queries_of(client, url)
    for n in range(10):
        registration = fair.producer() if n % 2 else fair.buyer()
        if n < 4:
            services.request_meeting(forum.user(registration), forum.session, registration, b1.id)
    _db.session.commit()
    many = queries_of(client, url)
    print(f"browse page statements: {few} with 3 others, {many} with 13")
    assert many == few, (few, many)
    assert queries_of(client, url + "?q=tea&role=exhibitor&group=beverages&sort=province") <= few


def test_the_organiser_adds_restricts_and_removes_a_pair(client, forum, asked, html):
    base = f"/manage/events/{forum.event.id}/matching/{forum.session.id}/forum"
    p1, p2 = forum.producers
    _login(client, forum.organiser)
    page = html(client.get(base))
    assert [tr["data-request"] for tr in page.select("#forum-requests [data-request]")] == [str(asked.id)]
    response = client.post(base, data={"first": p1.id, "second": p1.id}, follow_redirects=True)
    assert "two different" in response.get_data(as_text=True)
    response = client.post(base, data={"first": p1.id, "second": p2.id, "part_of_day": "afternoon"})
    assert response.status_code == 302
    added = services.pair_row(forum.session, p1.id, p2.id)
    assert (added.status, added.requested_by_id, added.part_of_day) == ("accepted", None, "afternoon")
    assert client.post(f"{base}/{added.id}/part", data={"part_of_day": ""}).status_code == 302
    assert client.post(f"{base}/{asked.id}/status", data={"status": "accepted"}).status_code == 302
    filtered = html(client.get(base + "?status=accepted&sort=oldest"))
    assert len(filtered.select("#forum-requests [data-request]")) == 2
    only = html(client.get(f"{base}?participant={p2.id}"))
    assert [tr["data-request"] for tr in only.select("#forum-requests [data-request]")] == [str(added.id)]
    # Removing asks first.
    confirm = html(client.get(f"{base}/{added.id}/remove"))
    assert confirm.select_one("#remove-form") is not None
    added_id = added.id
    assert client.post(f"{base}/{added_id}/remove").status_code == 302
    _db.session.expire_all()
    assert _db.session.get(ForumRequest, added_id) is None
    assert _db.session.get(ForumRequest, asked.id).part_of_day is None
    show = client.get(f"/manage/events/{forum.event.id}/matching/{forum.session.id}").get_data(as_text=True)
    assert 'data-kind="forum"' in show and base in show


def test_a_forum_participants_matching_page_keeps_to_availability_and_the_forum_links(client, forum, html):
    _db.session.commit()
    _login(client, forum.user(forum.producers[0]))
    page = html(client.get(f"/my/events/{forum.event.slug}/matching"))
    assert page.select_one("#forum-links") is not None
    assert page.select_one("#buyers-heading") is None  # the buyer–producer marks are not a forum's
    assert page.select_one("input[name=slots]") is not None  # availability still counts


def test_the_kind_cannot_change_once_there_are_requests_and_the_form_says_why(client, forum, asked, html):
    from tests.pages import field_error

    base = f"/manage/events/{forum.event.id}/matching/{forum.session.id}"
    _login(client, forum.organiser)
    settings = html(client.get(base + "/settings"))
    form = settings.select_one("#settings-form")
    assert form.select_one("#kind option[selected]")["value"] == "forum"
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    data |= {area["name"]: area.get_text() for area in form.select("textarea[name]")}
    data["kind"] = "bipartite"
    page = html(client.post(base, data=data))
    assert "kind can't be changed" in field_error(page, "kind")
    _db.session.expire_all()
    assert _db.session.get(type(forum.session), forum.session.id).kind == "forum"


def test_the_browse_page_is_paged(client, forum, html, monkeypatch):
    monkeypatch.setattr(services, "PER_PAGE", 2)
    _db.session.commit()
    _login(client, forum.user(forum.buyers[0]))
    url = f"/my/events/{forum.event.slug}/forum"
    first = html(client.get(url))
    second = html(client.get(url + "?page=2"))
    assert len(first.select("[data-participant]")) == 2 and len(second.select("[data-participant]")) == 1
    assert "3" in text_of(first.select_one("#forum-count"))
    assert first.select_one("nav .pagination") is not None
    seen = {
        card["data-participant"] for page in (first, second) for card in page.select("[data-participant]")
    }
    assert len(seen) == 3
    # Wildcards in the text are read literally.
    assert html(client.get(url + "?q=%25_")).select("[data-participant]") == []


def test_an_admin_manages_any_forum_and_a_waiting_registration_reads_why(
    client, forum, asked, make_user, make_producer, make_product, html
):
    _login(client, make_user(role="admin"))
    base = f"/manage/events/{forum.event.id}/matching/{forum.session.id}/forum"
    assert client.get(base).status_code == 200
    organisation = make_producer()
    waiting = make_user(role="exhibitor", organisation=organisation)
    reg.apply_as_exhibitor(waiting, forum.event, [make_product(organisation).id], now=NOW)
    _db.session.commit()
    _login(client, waiting)
    response = client.get(f"/my/events/{forum.event.slug}/forum")
    assert response.status_code == 403
    assert html(response).select_one("[data-waiting]")["data-waiting"] == "pending"
