"""Booths, booth assignments and electronic booths over the API with the pages' permissions:
anyone reads the public plan (requests and payments hidden) and the published electronic booths;
the event's organisers (and admins) see the full plan and every booking and move, swap, confirm
and cancel them; exhibitors pick a free booth (first-come) and read and cancel their own; every
other caller is refused, read tokens can't write, one-event tokens stay in their event, and a bad
body or a foreign object is a 4xx problem that writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.booths.booking import services as booking
from app.booths.ebooths import services as ebooths
from app.booths.models import BoothAssignment, ElectronicBooth
from app.eventlog.models import EventLogEntry
from app.events.models import Registration
from tests.api.conftest import bearer
from tests.booths.conftest import Fair

PROBLEM = "application/problem+json"


@pytest.fixture()
def make_booth_fair(db, make_producer, make_user, make_product, make_open_event):
    """`make_booth_fair(organiser)`: another fair with a hall and booth types (tests/booths' builder)."""

    def build(organiser):
        return Fair(db, organiser, make_producer, make_user, make_product, make_open_event)

    return build


@pytest.fixture()
def fair(db, organiser, make_producer, make_user, make_product, make_open_event, make_buyer):
    """A fair with four booths: A-1 held (confirmed, paid) by `holder`, A-2 named in a pending
    request of `asker`, A-3 blocked, A-4 free; an admin, another organiser, a buyer."""
    built = Fair(db, organiser, make_producer, make_user, make_product, make_open_event)
    a1, a2 = built.add_booths(2)
    (a3,) = built.add_booths(1, blocked=True, y=20)
    (a4,) = built.add_booths(1, booth_type=built.double, y=10)
    built.holder, built.holder_registration = built.exhibitor()
    built.asker, built.asker_registration = built.exhibitor()
    built.first_come()
    built.held = booking.pick_booth(built.holder, built.holder_registration, a1)
    booking.confirm_payment(organiser, built.held)
    booking.request_booth(built.asker, built.asker_registration, built.standard, preferences=[a2.id])
    built.a1, built.a2, built.a3, built.a4 = a1, a2, a3, a4
    built.admin = make_user(role="admin")
    built.other_organiser = make_user(role="organiser")
    built.buyer = make_user(role="buyer", organisation=make_buyer())
    db.session.commit()
    return built


def _active(db) -> list[tuple[int, int, str, str]]:
    db.session.expire_all()
    return sorted(
        db.session.execute(
            select(
                BoothAssignment.booth_id,
                BoothAssignment.registration_id,
                BoothAssignment.status,
                BoothAssignment.payment,
            ).where(BoothAssignment.status != "cancelled")
        ).all()
    )


def _log_count(db) -> int:
    """The event log's booth entries (the tests also open other events, which is logged)."""
    return db.session.scalar(
        select(func.count()).select_from(EventLogEntry).where(EventLogEntry.action != "event_state_changed")
    )


def _by_code(body) -> dict:
    return {item["code"]: item for item in body["items"]}


# ---------------------------------------------------------------- booths


def test_anyone_reads_the_public_plan_and_organisers_the_full_one(
    client, fair, organiser, make_open_event, make_token, db
):
    url = f"/api/v1/events/{fair.event.id}/booths"
    public = _by_code(client.get(url).get_json())
    assert {code: b["status"] for code, b in public.items()} == {
        "A-1": "allocated",  # confirmed and paid: payment is private
        "A-2": "free",  # only requested: requests are private
        "A-3": "blocked",
        "A-4": "free",
    }
    holder = public["A-1"]["holder"]
    assert holder["organisation"]["id"] == fair.holder_registration.organisation_id
    assert holder["registration_id"] is None and holder["assignment_id"] is None
    assert public["A-1"]["zones"] is None and public["A-2"]["requests"] is None
    assert public["A-4"]["price_vnd"] == 4_000_000 and public["A-1"]["price_vnd"] == 2_000_000
    assert public["A-4"]["type"]["id"] == fair.double.id and public["A-4"]["width_m"] == 6.0

    other_event = make_open_event(organiser=organiser)
    for token, full in (
        (make_token(organiser), True),
        (make_token(fair.admin), True),
        (make_token(fair.other_organiser), False),
        (make_token(fair.holder), False),
        (make_token(fair.buyer), False),
        (make_token(organiser, event=other_event), False),  # public data of another event
    ):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200
        seen = _by_code(response.get_json())
        if full:
            assert seen["A-1"]["status"] == "confirmed" and seen["A-2"]["status"] == "requested"
            assert seen["A-1"]["holder"]["assignment_id"] == fair.held.id
            assert seen["A-2"]["requests"] == 1
        else:
            assert seen == public


def test_a_draft_event_s_booths_only_for_its_organisers(client, make_event, organiser, make_token, db):
    draft = make_event(organiser=organiser)
    url = f"/api/v1/events/{draft.id}/booths"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=bearer(make_token(organiser))).status_code == 200
    missing = client.get("/api/v1/events/2147483647/booths")
    assert missing.status_code == 404 and missing.mimetype == PROBLEM


def test_booth_filters_sorting_pages_and_etags(client, fair, organiser, make_booth_fair, make_token, db):
    url = f"/api/v1/events/{fair.event.id}/booths"
    free = client.get(url + "?status=free").get_json()
    assert sorted(b["code"] for b in free["items"]) == ["A-2", "A-4"]
    # Anyone filters on the status it sees: a request stays private.
    assert client.get(url + "?status=requested").get_json()["total"] == 0
    requested = client.get(url + "?status=requested", headers=bearer(make_token(organiser))).get_json()
    assert [b["code"] for b in requested["items"]] == ["A-2"]
    assert client.get(url + f"?hall={fair.hall.id}").get_json()["total"] == 4
    by_price = client.get(url + "?sort=-price&per_page=1").get_json()
    assert by_price["total"] == 4 and by_price["items"][0]["code"] == "A-4" and by_price["links"]["next"]
    second = client.get(by_price["links"]["next"]).get_json()
    assert second["page"] == 2 and len(second["items"]) == 1
    codes = [b["code"] for b in client.get(url + "?sort=code").get_json()["items"]]
    assert codes == sorted(codes)

    other_hall = make_booth_fair(organiser).hall
    for query, field in (
        (f"?hall={other_hall.id}", "hall"),  # another event's hall
        ("?hall=abc", "hall"),
        ("?hall=0", "hall"),
        ("?status=taken", "status"),
        ("?sort=colour", "sort"),
        ("?per_page=1000", "per_page"),
        ("?colour=red", "colour"),  # unknown parameters are refused
    ):
        response = client.get(url + query, headers={"Accept-Language": "en"})
        assert response.status_code == 422, query
        assert response.mimetype == PROBLEM
        assert field in [p["name"] for p in response.get_json()["invalid_params"]]

    first = client.get(url)
    assert first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


# ---------------------------------------------------------------- the organiser's list of bookings


def test_every_role_on_the_event_s_bookings(client, fair, organiser, make_open_event, make_token, db):
    url = f"/api/v1/events/{fair.event.id}/booth-assignments"
    assert client.get(url).status_code == 401
    for user, expected in (
        (organiser, 200),
        (fair.admin, 200),
        (fair.other_organiser, 403),
        (fair.holder, 403),
        (fair.asker, 403),
        (fair.buyer, 403),
    ):
        response = client.get(url, headers=bearer(make_token(user)))
        assert response.status_code == expected, user.role
        assert expected == 200 or response.mimetype == PROBLEM
    one_event = make_token(organiser, event=make_open_event(organiser=organiser))
    assert client.get(url, headers=bearer(one_event)).status_code == 403

    body = client.get(url, headers=bearer(make_token(organiser))).get_json()
    (item,) = body["items"]
    assert item["id"] == fair.held.id and item["booth"]["code"] == "A-1"
    assert item["registration_id"] == fair.holder_registration.id
    assert (item["status"], item["payment"], item["amount_vnd"]) == ("confirmed", "paid", 2_000_000)
    token = make_token(organiser)
    assert client.get(url + "?payment=due", headers=bearer(token)).get_json()["total"] == 0
    assert (
        client.get(url + "?status=confirmed&sort=-organisation", headers=bearer(token)).get_json()["total"]
        == 1
    )
    for query in ("?status=cancelled", "?payment=free", "?sort=price", "?registration=1"):
        assert client.get(url + query, headers=bearer(token)).status_code == 422, query


def test_exhibitors_read_their_own_bookings_only(client, fair, organiser, make_token, db):
    mine = client.get("/api/v1/booth-assignments/mine", headers=bearer(make_token(fair.holder))).get_json()
    assert [a["id"] for a in mine] == [fair.held.id]
    assert (
        client.get("/api/v1/booth-assignments/mine", headers=bearer(make_token(fair.asker))).get_json() == []
    )
    assert (
        client.get("/api/v1/booth-assignments/mine", headers=bearer(make_token(fair.buyer))).get_json() == []
    )
    assert client.get("/api/v1/booth-assignments/mine").status_code == 401

    url = f"/api/v1/booth-assignments/{fair.held.id}"
    assert client.get(url).status_code == 401
    for user, expected in (
        (fair.holder, 200),
        (organiser, 200),
        (fair.admin, 200),
        (fair.asker, 404),  # another exhibitor's booking is not told to exist
        (fair.other_organiser, 404),
        (fair.buyer, 404),
    ):
        assert client.get(url, headers=bearer(make_token(user))).status_code == expected, user.role
    assert (
        client.get("/api/v1/booth-assignments/2147483647", headers=bearer(make_token(organiser))).status_code
        == 404
    )


# ---------------------------------------------------------------- exhibitors pick a booth


def test_an_exhibitor_picks_a_free_booth_through_the_service(client, fair, make_token, db):
    token = make_token(fair.asker, scope="write")
    body = {"registration": fair.asker_registration.id, "booth": fair.a4.id}
    picked = client.post("/api/v1/booth-assignments", headers=bearer(token), json=body)
    assert picked.status_code == 201, picked.get_json()
    item = picked.get_json()
    assert (item["booth"]["code"], item["status"], item["payment"]) == ("A-4", "allocated", "due")
    assert item["amount_vnd"] == 4_000_000
    assert (fair.a4.id, fair.asker_registration.id, "allocated", "due") in _active(db)
    # A second pick: the service says it already has one; nothing more is written.
    again = client.post(
        "/api/v1/booth-assignments",
        headers=bearer(token),
        json={"registration": fair.asker_registration.id, "booth": fair.a2.id},
    )
    assert again.status_code == 422 and again.mimetype == PROBLEM
    assert len(_active(db)) == 2


def test_who_may_not_pick_and_what_is_refused(client, fair, organiser, make_booth_fair, make_token, db):
    url = "/api/v1/booth-assignments"
    before = _active(db)
    mine = {"registration": fair.asker_registration.id, "booth": fair.a4.id}
    assert client.post(url, json=mine).status_code == 401
    assert client.post(url, headers=bearer(make_token(fair.asker)), json=mine).status_code == 403  # read
    # Someone else's registration: not told to exist (422 naming it); organisers don't pick.
    for user in (fair.holder, fair.buyer, fair.other_organiser):
        response = client.post(url, headers=bearer(make_token(user, scope="write")), json=mine)
        assert response.status_code == 422, user.role
        assert [p["name"] for p in response.get_json()["invalid_params"]] == ["registration"]
    assert (
        client.post(url, headers=bearer(make_token(organiser, scope="write")), json=mine).status_code == 403
    )
    other_fair = make_booth_fair(organiser)
    (elsewhere,) = other_fair.add_booths(1)
    db.session.add(
        Registration(
            event=other_fair.event,
            organisation_id=fair.asker.organisation_id,
            role="exhibitor",
            status="pending",
        )
    )
    db.session.commit()
    one_event = make_token(fair.asker, scope="write", event=other_fair.event)
    assert client.post(url, headers=bearer(one_event), json=mine).status_code == 403

    token = make_token(fair.asker, scope="write")
    registration = fair.asker_registration.id
    for body, field in (
        ({"registration": registration, "booth": elsewhere.id}, "booth"),  # a booth of another event
        ({"registration": registration, "booth": fair.a1.id}, "booth"),  # taken
        ({"registration": registration, "booth": fair.a3.id}, "booth"),  # blocked
        ({"registration": registration, "booth": 2147483647}, "booth"),
        ({"registration": registration, "booth": 2**40}, "booth"),
        ({"registration": registration, "booth": "A-4"}, "booth"),
        ({"registration": registration, "booth": None}, "booth"),
        ({"registration": registration}, "booth"),
        ({"booth": fair.a4.id}, "registration"),
        ({"registration": 2147483647, "booth": fair.a4.id}, "registration"),
        ({**mine, "status": "confirmed"}, "status"),
        ([mine], None),
        ("A-4", None),
    ):
        response = client.post(url, headers=bearer(token, **{"Accept-Language": "en"}), json=body)
        assert response.status_code == 422, body
        assert response.mimetype == PROBLEM
        if field:
            assert field in [p["name"] for p in response.get_json()["invalid_params"]], body
    malformed = client.post(url, headers=bearer(token), data="{oops", content_type="application/json")
    assert malformed.status_code == 400 and malformed.mimetype == PROBLEM
    fair.first_come(False)
    db.session.commit()
    closed = client.post(url, headers=bearer(token, **{"Accept-Language": "en"}), json=mine)
    assert closed.status_code == 422 and "first-come" in closed.get_json()["detail"]
    assert _active(db) == before


# ---------------------------------------------------------------- organisers change bookings


def test_organisers_move_swap_confirm_and_cancel_through_the_services(
    client, fair, organiser, make_token, db
):
    token = make_token(organiser, scope="write")
    base = f"/api/v1/booth-assignments/{fair.held.id}"
    moved = client.post(base + "/move", headers=bearer(token), json={"booth": fair.a2.id})
    assert moved.status_code == 200 and moved.get_json()["booth"]["code"] == "A-2"
    # The asker picks A-4, then the two swap.
    asker = booking.pick_booth(fair.asker, fair.asker_registration, fair.a4)
    db.session.commit()
    swapped = client.post(base + "/swap", headers=bearer(token), json={"other": asker.id})
    assert swapped.status_code == 422  # A-4 is a double booth: the holder asked for nothing else
    assert [p["name"] for p in swapped.get_json()["invalid_params"]] == ["other"]
    waived = client.post(
        f"/api/v1/booth-assignments/{asker.id}/payment", headers=bearer(token), json={"payment": "waived"}
    )
    assert waived.status_code == 200 and (waived.get_json()["status"], waived.get_json()["payment"]) == (
        "confirmed",
        "waived",
    )
    cancelled = client.post(base + "/cancel", headers=bearer(token), json={})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert _active(db) == [(fair.a4.id, fair.asker_registration.id, "confirmed", "waived")]
    # A rule of the service: a cancelled booking can't be moved (422, nothing written).
    refused = client.post(base + "/move", headers=bearer(token), json={"booth": fair.a2.id})
    assert refused.status_code == 422 and refused.mimetype == PROBLEM
    assert _log_count(db) >= 3  # the same services as the pages: the event log has the changes


def test_who_may_not_change_a_booking(client, fair, organiser, make_open_event, make_token, db):
    base = f"/api/v1/booth-assignments/{fair.held.id}"
    before, logged = _active(db), _log_count(db)
    for path, body in (
        ("/move", {"booth": fair.a4.id}),
        ("/swap", {"other": fair.held.id}),
        ("/payment", {"payment": "waived"}),
        ("/cancel", {}),
    ):
        url = base + path
        assert client.post(url, json=body).status_code == 401
        assert client.post(url, headers=bearer(make_token(organiser)), json=body).status_code == 403
        one_event = make_token(organiser, scope="write", event=make_open_event(organiser=organiser))
        assert client.post(url, headers=bearer(one_event), json=body).status_code == 403
        for user, expected in (
            (fair.other_organiser, 404),
            (fair.asker, 404),
            (fair.buyer, 404),
            (fair.holder, 422 if path == "/cancel" else 403),  # its own, but confirmed
        ):
            response = client.post(url, headers=bearer(make_token(user, scope="write")), json=body)
            assert response.status_code == expected, (path, user.role)
            assert response.mimetype == PROBLEM
    assert _active(db) == before and _log_count(db) == logged


def test_an_exhibitor_cancels_its_own_unconfirmed_booking(client, fair, make_token, db):
    asker = booking.pick_booth(fair.asker, fair.asker_registration, fair.a4)
    db.session.commit()
    url = f"/api/v1/booth-assignments/{asker.id}/cancel"
    assert client.post(url, headers=bearer(make_token(fair.holder, scope="write"))).status_code == 404
    response = client.post(url, headers=bearer(make_token(fair.asker, scope="write")))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert fair.a4.id not in [row[0] for row in _active(db)]


def test_bad_bodies_and_foreign_objects_write_nothing(
    client, fair, organiser, make_booth_fair, make_user, make_token, db
):
    other_fair = make_booth_fair(make_user(role="organiser"))
    (elsewhere,) = other_fair.add_booths(1)
    other_user, other_registration = other_fair.exhibitor()
    other_fair.first_come()
    foreign = booking.pick_booth(other_user, other_registration, elsewhere)
    db.session.commit()
    token = make_token(organiser, scope="write")
    base = f"/api/v1/booth-assignments/{fair.held.id}"
    before, logged = _active(db), _log_count(db)
    for path, body, field in (
        ("/move", {"booth": elsewhere.id}, "booth"),  # a booth of another event
        ("/move", {"booth": fair.a3.id}, "booth"),  # blocked
        ("/move", {"booth": 2147483647}, "booth"),
        ("/move", {"booth": -1}, "booth"),
        ("/move", {"booth": 1.5}, "booth"),
        ("/move", {}, "booth"),
        ("/move", {"booth": fair.a4.id, "hall": 1}, "hall"),
        ("/swap", {"other": foreign.id}, "other"),  # a booking of another event
        ("/swap", {"other": fair.held.id}, "other"),  # itself
        ("/swap", {"other": "x"}, "other"),
        ("/payment", {"payment": "due"}, "payment"),
        ("/payment", {}, "payment"),
        ("/payment", {"payment": ["paid"]}, "payment"),
        ("/cancel", {"reason": "x"}, "reason"),
        ("/cancel", [], None),
    ):
        response = client.post(base + path, headers=bearer(token, **{"Accept-Language": "en"}), json=body)
        assert response.status_code == 422, (path, body)
        assert response.mimetype == PROBLEM
        if field:
            assert field in [p["name"] for p in response.get_json()["invalid_params"]], (path, body)
    # Another event's booking through this event's organiser: not told to exist.
    assert (
        client.post(f"/api/v1/booth-assignments/{foreign.id}/cancel", headers=bearer(token)).status_code
        == 404
    )
    assert _active(db) == before and _log_count(db) == logged


# ---------------------------------------------------------------- electronic booths


@pytest.fixture()
def shown(fair, db):
    """The holder's electronic booth published (with a headline); the asker's left unpublished."""
    published = ebooths.ensure_electronic_booth(fair.holder_registration)
    published.headline_vi = "Chè Hải Hà thơm ngon"
    ebooths.set_published(fair.holder, published, True)
    hidden = ebooths.ensure_electronic_booth(fair.asker_registration)
    db.session.commit()
    return published, hidden


def test_anyone_reads_the_published_electronic_booths(client, fair, shown, organiser, make_token, db):
    published, _hidden = shown
    url = f"/api/v1/events/{fair.event.id}/ebooths"
    body = client.get(url).get_json()
    assert [e["id"] for e in body["items"]] == [published.id] and body["total"] == 1
    (item,) = body["items"]
    assert item["headline"]["vi"] == "Chè Hải Hà thơm ngon" and item["booth"]["code"] == "A-1"
    assert item["products"] and item["visits"] is None and "phone" not in item["contact"]
    assert item["url"].endswith(f"/booths/{published.id}")
    for token in (make_token(organiser), make_token(fair.asker), make_token(fair.buyer)):
        assert [e["id"] for e in client.get(url, headers=bearer(token)).get_json()["items"]] == [published.id]
    word = fair.holder_registration.organisation.name.split()[-1]
    assert client.get(url + f"?q={word}").get_json()["total"] == 1
    assert client.get(url + "?q=khongcoai").get_json()["total"] == 0
    for query in ("?min_stars=2", "?province=99", "?group=cars", "?sort=name", "?page=0"):
        response = client.get(url + query)
        assert response.status_code == 422 and response.mimetype == PROBLEM, query
    assert client.get("/api/v1/events/2147483647/ebooths").status_code == 404


def test_an_electronic_booth_s_page(client, fair, shown, organiser, make_open_event, make_token, db):
    published, hidden = shown
    detail = client.get(f"/api/v1/ebooths/{published.id}")
    assert (
        detail.status_code == 200
        and detail.get_json()["organisation"]["id"] == fair.holder_registration.organisation_id
    )
    assert detail.get_json()["visits"] is None
    own = client.get(f"/api/v1/ebooths/{published.id}", headers=bearer(make_token(fair.holder))).get_json()
    assert own["visits"] == 0  # its own users see the count; reading it is no visit
    url = f"/api/v1/ebooths/{hidden.id}"
    assert client.get(url).status_code == 404
    for user, expected in (
        (fair.asker, 200),  # its own exhibitor previews it
        (organiser, 200),
        (fair.admin, 200),
        (fair.holder, 404),
        (fair.other_organiser, 404),
        (fair.buyer, 404),
    ):
        assert client.get(url, headers=bearer(make_token(user))).status_code == expected, user.role
    one_event = make_token(organiser, event=make_open_event(organiser=organiser))
    assert client.get(url, headers=bearer(one_event)).status_code == 403
    assert client.get(f"/api/v1/ebooths/{published.id}", headers=bearer(one_event)).status_code == 200
    assert client.get("/api/v1/ebooths/2147483647").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ElectronicBooth)) == 2


# ---------------------------------------------------------------- the document


def test_the_operations_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, methods in (
        ("/api/v1/events/{event_id}/booths", {"get"}),
        ("/api/v1/events/{event_id}/booth-assignments", {"get"}),
        ("/api/v1/booth-assignments", {"post"}),
        ("/api/v1/booth-assignments/mine", {"get"}),
        ("/api/v1/booth-assignments/{assignment_id}", {"get"}),
        ("/api/v1/booth-assignments/{assignment_id}/move", {"post"}),
        ("/api/v1/booth-assignments/{assignment_id}/swap", {"post"}),
        ("/api/v1/booth-assignments/{assignment_id}/payment", {"post"}),
        ("/api/v1/booth-assignments/{assignment_id}/cancel", {"post"}),
        ("/api/v1/events/{event_id}/ebooths", {"get"}),
        ("/api/v1/ebooths/{ebooth_id}", {"get"}),
    ):
        assert path in paths, path
        assert methods <= set(paths[path]), path
        for method in methods:
            assert paths[path][method].get("description") or paths[path][method].get("summary")


def test_the_lists_queries_do_not_grow_with_the_booths(client, fair, shown, organiser, make_token, db):
    """Each list costs the same number of statements with 1 booking and booth or with 7."""
    token = make_token(organiser)
    urls = (
        f"/api/v1/events/{fair.event.id}/booths",
        f"/api/v1/events/{fair.event.id}/booth-assignments",
        f"/api/v1/events/{fair.event.id}/ebooths",
    )

    def counts() -> list[int]:
        found = []
        for url in urls:
            statements = 0

            def counted(*_args):
                nonlocal statements
                statements += 1

            sa_event.listen(db.engine, "before_cursor_execute", counted)
            try:
                assert client.get(url, headers=bearer(token)).status_code == 200
            finally:
                sa_event.remove(db.engine, "before_cursor_execute", counted)
            found.append(statements)
        return found

    def add_exhibitor_with_a_booth():
        (booth,) = fair.add_booths(1, y=30)
        user, registration = fair.exhibitor()
        booking.pick_booth(user, registration, booth)
        ebooths.set_published(user, ebooths.ensure_electronic_booth(registration), True)
        db.session.commit()

    add_exhibitor_with_a_booth()
    few = counts()
    for _ in range(6):
        add_exhibitor_with_a_booth()
    assert counts() == few
    body = client.get(urls[1], headers=bearer(token)).get_json()
    assert body["total"] == 8
