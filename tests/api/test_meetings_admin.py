"""Meetings, check-ins and outcomes over the API with the pages' permissions: the event's
organisers (and admins) list its meetings, check them in and read the check-ins and outcomes;
either side of a meeting reads it and records its own outcome; other organisers, other
exhibitors and buyers, anonymous callers, tokens limited to another event and read tokens that
write are refused; refused and malformed requests write nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.api.webhooks import services as hooks
from app.api.webhooks.models import WebhookDelivery
from app.eventlog.models import EventLogEntry
from app.events.models import Registration
from app.matching.models import Meeting, MeetingOutcome
from tests.api.conftest import bearer
from tests.matching.test_agenda import add_meeting, build_fair

PROBLEM = "application/problem+json"


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    """A fair whose matchmaking took place yesterday and today (the pinned clock), with four
    meetings: buyer 0 meets producer 0 (slot 0) and producer 1 (slot 7, the second day), buyer 1
    meets producer 1 (slot 1), and a draft, not published, of buyer 1 with producer 0 (slot 2)."""
    built = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=-1)
    (_u0, b0), (_u1, b1) = built.buyers
    (_v0, p0), (_v1, p1) = built.producers
    built.first = add_meeting(db, built, b0, p0, slot=0, table=0)
    built.other = add_meeting(db, built, b1, p1, slot=1, table=1)
    built.second_day = add_meeting(db, built, b0, p1, slot=7, table=0)
    built.draft = add_meeting(db, built, b1, p0, slot=2, table=2, published=False)
    return built


@pytest.fixture()
def callers(fair, make_user, make_event, make_token, db):
    """A token of each role (scope `write` unless the name says read), by name."""
    (u0, _b0), (u1, _b1) = fair.buyers
    (v0, _p0), (_v1, _p1) = fair.producers
    elsewhere = make_event(organiser=fair.organiser)
    joined = Registration(organisation_id=u0.organisation_id, role="buyer", status="approved")
    elsewhere.registrations.append(joined)
    db.session.commit()
    return {
        "organiser": make_token(fair.organiser, scope="write"),
        "organiser read": make_token(fair.organiser, scope="read"),
        "other organiser": make_token(make_user(role="organiser"), scope="write"),
        "admin": make_token(make_user(role="admin"), scope="write"),
        "buyer": make_token(u0, scope="write"),  # a side of `first`
        "buyer read": make_token(u0, scope="read"),
        "producer": make_token(v0, scope="write"),  # the other side of `first`
        "other buyer": make_token(u1, scope="write"),  # in the fair, not in `first`
        "one event": make_token(fair.organiser, scope="write", event=elsewhere),
        "buyer one event": make_token(u0, scope="write", event=elsewhere),
    }


def _get(client, url, secret=None, **headers):
    return client.get(url, headers=bearer(secret, **headers) if secret else headers)


def _post(client, url, secret=None, **kwargs):
    return client.post(url, headers=bearer(secret) if secret else {}, **kwargs)


def _is_problem(response, status):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    if status >= 400:
        assert response.mimetype == PROBLEM


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _subscribe(db, fair):
    hooks.create_subscription(
        fair.organiser, fair.event, "http://127.0.0.1:9/in", ["checkin.recorded", "outcome.recorded"]
    )
    db.session.commit()


def _sent(db) -> list[dict]:
    db.session.expire_all()
    return [
        json.loads(d.body) for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
    ]


# ---------------------------------------------------------------- the event's meetings


def test_every_role_on_the_event_s_meetings(client, fair, callers):
    url = f"/api/v1/events/{fair.event.id}/meetings"
    _is_problem(_get(client, url), 401)
    for name, status in (
        ("organiser", 200),
        ("organiser read", 200),
        ("admin", 200),
        ("other organiser", 403),
        ("buyer", 403),
        ("producer", 403),
        ("other buyer", 403),
        ("one event", 403),
    ):
        response = _get(client, url, callers[name])
        assert response.status_code == status, name
        _is_problem(response, status)
    _is_problem(_get(client, "/api/v1/events/2147483647/meetings", callers["organiser"]), 404)


def test_the_organisers_see_every_meeting_with_its_sides_time_and_table(client, fair, callers):
    body = _get(client, f"/api/v1/events/{fair.event.id}/meetings", callers["organiser"]).get_json()
    assert body["total"] == 4
    assert [m["id"] for m in body["items"]] == [
        fair.first.id,
        fair.other.id,
        fair.draft.id,
        fair.second_day.id,
    ]
    first = body["items"][0]
    (_u0, b0), _ = fair.buyers
    (_v0, p0), _ = fair.producers
    assert first["buyer"] == {
        "registration_id": b0.id,
        "organisation_id": b0.organisation_id,
        "name": b0.organisation.name,
    }
    assert first["producer"]["registration_id"] == p0.id
    assert first["starts_at"].startswith(fair.slot_start(0).strftime("%Y-%m-%dT%H:%M"))
    assert first["table"] == "Nhà B · bàn 12" and first["table_index"] == 0
    assert first["status"] == "scheduled" and first["published"] is True and first["checked_in_at"] is None
    assert first["checkin_code"] == fair.first.checkin_code and first["event_id"] == fair.event.id
    assert body["items"][2]["published"] is False


def test_the_meetings_filtered_and_sorted(client, fair, callers, make_buyer, db):
    url = f"/api/v1/events/{fair.event.id}/meetings"
    token = callers["organiser"]
    (_u0, b0), (_u1, b1) = fair.buyers
    (_v0, p0), _ = fair.producers

    def ids(query: str) -> list[int]:
        response = _get(client, url + query, token)
        assert response.status_code == 200, response.get_json()
        return [m["id"] for m in response.get_json()["items"]]

    assert ids(f"?day={fair.day.isoformat()}") == [fair.first.id, fair.other.id, fair.draft.id]
    assert ids(f"?day={(fair.day + timedelta(days=1)).isoformat()}") == [fair.second_day.id]
    assert ids(f"?day={(fair.day + timedelta(days=5)).isoformat()}") == []
    assert ids("?slot=1") == [fair.other.id]
    assert ids(f"?registration_id={p0.id}") == [fair.first.id, fair.draft.id]
    assert ids(f"?registration_id={b0.id}") == [fair.first.id, fair.second_day.id]
    assert ids(f"?organisation_id={b1.organisation_id}") == [fair.other.id, fair.draft.id]
    assert ids(f"?organisation_id={make_buyer().id}") == []
    assert ids(f"?session_id={fair.session.id}&slot=0") == [fair.first.id]
    assert ids("?session_id=2147483647") == []
    assert ids("?published=false") == [fair.draft.id]
    assert ids("?status=held") == []
    assert ids("?sort=-time") == [fair.second_day.id, fair.draft.id, fair.other.id, fair.first.id]
    assert ids("?sort=table") == [fair.first.id, fair.second_day.id, fair.other.id, fair.draft.id]
    assert ids("?sort=-id") == sorted(ids("?sort=id"), reverse=True)
    # A check-in: the status filter and the check-in sort see it.
    assert _post(client, f"/api/v1/meetings/{fair.other.id}/checkin", token).status_code == 200
    assert ids("?status=held") == [fair.other.id]
    assert ids("?sort=checked_in_at")[0] == fair.other.id
    assert ids("?sort=-checked_in_at")[0] == fair.other.id  # not checked in: last either way
    assert ids("?sort=status")[-1] == fair.other.id
    # Pages and their links.
    paged = _get(client, url + "?per_page=3", token).get_json()
    assert paged["total"] == 4 and len(paged["items"]) == 3 and paged["links"]["next"]
    second = _get(client, paged["links"]["next"], token).get_json()
    assert [m["id"] for m in second["items"]] == [fair.second_day.id]
    assert second["links"]["prev"] and second["links"]["next"] is None


@pytest.mark.parametrize(
    "query, field",
    [
        ("day=tomorrow", "day"),
        ("day=2027-02-30", "day"),
        ("slot=-1", "slot"),
        ("slot=x", "slot"),
        ("registration_id=0", "registration_id"),
        ("registration_id=99999999999", "registration_id"),
        ("organisation_id=1.5", "organisation_id"),
        ("session_id=-3", "session_id"),
        ("status=done", "status"),
        ("published=maybe", "published"),
        ("sort=price", "sort"),
        ("per_page=1000", "per_page"),
        ("page=0", "page"),
        ("colour=blue", "colour"),
    ],
)
def test_junk_in_the_meetings_query_is_a_422_naming_it(client, fair, callers, query, field):
    response = _get(client, f"/api/v1/events/{fair.event.id}/meetings?{query}", callers["organiser"])
    _is_problem(response, 422)
    assert field in [p["name"] for p in response.get_json()["invalid_params"]]


def test_the_meetings_list_has_an_etag(client, fair, callers):
    url = f"/api/v1/events/{fair.event.id}/meetings"
    first = _get(client, url, callers["organiser"])
    etag = first.headers["ETag"]
    assert _get(client, url, callers["organiser"], **{"If-None-Match": etag}).status_code == 304
    _post(client, f"/api/v1/meetings/{fair.first.id}/checkin", callers["organiser"])
    assert _get(client, url, callers["organiser"], **{"If-None-Match": etag}).status_code == 200


def _statements(db, request) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    sa_event.listen(db.engine, "before_cursor_execute", counted)
    try:
        response = request()
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_the_organisers_lists_queries_do_not_grow_with_the_meetings(
    client, fair, callers, make_buyer, make_producer, db
):
    token = callers["organiser"]
    urls = [
        f"/api/v1/events/{fair.event.id}/meetings",
        f"/api/v1/events/{fair.event.id}/meetings?day={fair.day.isoformat()}&sort=-status",
        f"/api/v1/events/{fair.event.id}/checkins",
        f"/api/v1/events/{fair.event.id}/outcomes",
    ]

    def add_meetings(count: int, first_slot: int):
        for offset in range(count):
            buyer = Registration(organisation=make_buyer(), role="buyer", status="approved")
            producer = Registration(organisation=make_producer(), role="exhibitor", status="approved")
            fair.event.registrations.extend([buyer, producer])
            db.session.commit()
            meeting = add_meeting(db, fair, buyer, producer, slot=first_slot + offset % 7, table=offset % 3)
            meeting.checked_in_at = fair.slot_start(meeting.slot)
            meeting.status = "held"
            db.session.add(MeetingOutcome(meeting_id=meeting.id, side="buyer", kind="follow_up"))
            db.session.add(MeetingOutcome(meeting_id=meeting.id, side="producer", kind="follow_up"))
            db.session.commit()

    add_meetings(1, 0)
    few = [_statements(db, lambda url=url: _get(client, url, token)) for url in urls]
    add_meetings(8, 0)
    many = [_statements(db, lambda url=url: _get(client, url, token)) for url in urls]
    assert many == few
    page = _get(client, urls[0], token).get_json()
    assert page["total"] == 13 and len(page["items"]) == 13


# ---------------------------------------------------------------- one meeting


def test_every_role_on_a_meeting(client, fair, callers):
    url = f"/api/v1/meetings/{fair.first.id}"
    _is_problem(_get(client, url), 401)
    for name, status in (
        ("organiser", 200),
        ("admin", 200),
        ("buyer", 200),
        ("buyer read", 200),
        ("producer", 200),
        ("other organiser", 404),  # not told it exists
        ("other buyer", 404),
        ("one event", 403),
        ("buyer one event", 403),
    ):
        response = _get(client, url, callers[name])
        assert response.status_code == status, name
        _is_problem(response, status)
    body = _get(client, url, callers["buyer"]).get_json()
    assert body["id"] == fair.first.id and body["producer"]["registration_id"] == fair.producers[0][1].id
    etag = _get(client, url, callers["buyer"]).headers["ETag"]
    assert _get(client, url, callers["buyer"], **{"If-None-Match": etag}).status_code == 304
    # A draft: its organisers only.
    draft = f"/api/v1/meetings/{fair.draft.id}"
    assert _get(client, draft, callers["organiser"]).status_code == 200
    assert _get(client, draft, callers["producer"]).status_code == 404
    # No such meeting.
    _is_problem(_get(client, "/api/v1/meetings/2147483647", callers["organiser"]), 404)
    _is_problem(_get(client, "/api/v1/meetings/99999999999", callers["organiser"]), 404)


# ---------------------------------------------------------------- check-ins


def test_who_may_check_a_meeting_in(client, fair, callers, db):
    _subscribe(db, fair)
    url = f"/api/v1/meetings/{fair.first.id}/checkin"
    _is_problem(_post(client, url), 401)
    for name, status in (
        ("organiser read", 403),  # a read token
        ("other organiser", 404),
        ("buyer", 403),  # a side sees the meeting, but organisers check in
        ("producer", 403),
        ("other buyer", 404),
        ("one event", 403),
    ):
        response = _post(client, url, callers[name], json={})
        assert response.status_code == status, name
        _is_problem(response, status)
    db.session.expire_all()
    assert db.session.get(Meeting, fair.first.id).checked_in_at is None
    assert _sent(db) == [] and _count(db, EventLogEntry) == 0

    done = _post(client, url, callers["organiser"])
    assert done.status_code == 200
    body = done.get_json()
    assert body["already"] is False and body["meeting"]["status"] == "held"
    assert body["checked_in_at"] == body["meeting"]["checked_in_at"] is not None
    again = _post(client, url, callers["organiser"], json={})
    assert again.status_code == 200
    assert again.get_json()["already"] is True and again.get_json()["checked_in_at"] == body["checked_in_at"]
    # The check-in page's service: one webhook and one line in the event log, whatever the repeats.
    (sent,) = _sent(db)
    assert sent["type"] == "checkin.recorded" and sent["data"]["meeting"]["id"] == fair.first.id
    assert _count(db, EventLogEntry) == 1
    meeting = db.session.get(Meeting, fair.first.id)
    assert meeting.status == "held" and meeting.checked_in_by_id == fair.organiser.id
    # An admin checks in too.
    assert _post(client, f"/api/v1/meetings/{fair.other.id}/checkin", callers["admin"]).status_code == 200


def test_refused_check_ins_write_nothing(
    client, fair, callers, db, make_event, make_user, make_buyer, make_producer, make_product
):
    token = callers["organiser"]
    url = f"/api/v1/meetings/{fair.first.id}/checkin"
    for body, field in (({"code": fair.first.checkin_code}, "code"), ({"at": 1}, "at"), ([1, 2], None)):
        response = _post(client, url, token, json=body)
        _is_problem(response, 422)
        if field:
            assert field in [p["name"] for p in response.get_json()["invalid_params"]]
    malformed = _post(client, url, token, data="{not json", content_type="application/json")
    _is_problem(malformed, 400)
    # Rules of the check-in page's service: a draft, a cancelled meeting, a meeting of a later day.
    _is_problem(_post(client, f"/api/v1/meetings/{fair.draft.id}/checkin", token), 422)
    fair.other.status = "cancelled"
    db.session.commit()
    _is_problem(_post(client, f"/api/v1/meetings/{fair.other.id}/checkin", token), 422)
    later = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=30)
    upcoming = add_meeting(db, later, later.buyers[0][1], later.producers[0][1], slot=0, table=0)
    response = _post(client, f"/api/v1/meetings/{upcoming.id}/checkin", callers["admin"])
    _is_problem(response, 422)
    assert response.get_json()["detail"]
    _is_problem(_post(client, "/api/v1/meetings/2147483647/checkin", token), 404)
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.checked_in_at.is_not(None)))
        == 0
    )
    assert _count(db, EventLogEntry) == 0


def test_the_check_ins_newest_first_with_who(client, fair, callers, db, pinned_clock):
    url = f"/api/v1/events/{fair.event.id}/checkins"
    _post(client, f"/api/v1/meetings/{fair.first.id}/checkin", callers["organiser"])
    pinned_clock.shift(timedelta(minutes=3))
    _post(client, f"/api/v1/meetings/{fair.other.id}/checkin", callers["admin"])
    _is_problem(_get(client, url), 401)
    for name, status in (
        ("organiser read", 200),
        ("admin", 200),
        ("other organiser", 403),
        ("buyer", 403),
        ("other buyer", 403),
        ("one event", 403),
    ):
        response = _get(client, url, callers[name])
        assert response.status_code == status, name
        _is_problem(response, status)
    body = _get(client, url, callers["organiser"]).get_json()
    assert body["total"] == 2
    assert [i["meeting"]["id"] for i in body["items"]] == [fair.other.id, fair.first.id]
    assert body["items"][1]["checked_in_by"] == {"id": fair.organiser.id, "name": fair.organiser.full_name}
    assert body["items"][0]["checked_in_at"] > body["items"][1]["checked_in_at"]
    one = _get(client, url + "?per_page=1&page=2", callers["organiser"]).get_json()
    assert [i["meeting"]["id"] for i in one["items"]] == [fair.first.id]
    _is_problem(_get(client, url + "?per_page=0", callers["organiser"]), 422)
    etag = _get(client, url, callers["organiser"]).headers["ETag"]
    assert _get(client, url, callers["organiser"], **{"If-None-Match": etag}).status_code == 304


# ---------------------------------------------------------------- outcomes


def test_who_may_record_an_outcome(client, fair, callers, db):
    _subscribe(db, fair)
    url = f"/api/v1/meetings/{fair.first.id}/outcome"
    body = {"kind": "contract", "value_vnd": 150_000_000, "note": "Đơn hàng đầu tiên"}
    _is_problem(_post(client, url, json=body), 401)
    for name, status in (
        ("buyer read", 403),  # a read token
        ("organiser", 403),  # organisers read outcomes; the sides record them (the outcome page)
        ("admin", 403),
        ("other organiser", 404),
        ("other buyer", 404),
        ("buyer one event", 403),
        ("one event", 403),
    ):
        response = _post(client, url, callers[name], json=body)
        assert response.status_code == status, name
        _is_problem(response, status)
    assert _count(db, MeetingOutcome) == 0 and _sent(db) == []

    recorded = _post(client, url, callers["buyer"], json=body)
    assert recorded.status_code == 200
    answer = recorded.get_json()
    assert answer | {"recorded_at": None, "meeting": None} == {
        "meeting_id": fair.first.id,
        "side": "buyer",
        "kind": "contract",
        "value_vnd": 150_000_000,
        "note": "Đơn hàng đầu tiên",
        "recorded_at": None,
        "meeting": None,
    }
    producer = _post(client, url, callers["producer"], json={"kind": "sample_order"})
    assert producer.status_code == 200 and producer.get_json()["side"] == "producer"
    assert producer.get_json()["value_vnd"] is None
    corrected = _post(client, url, callers["buyer"], json={"kind": "follow_up", "value_vnd": 5})
    assert corrected.status_code == 200 and corrected.get_json()["value_vnd"] is None  # no value for it
    assert _count(db, MeetingOutcome) == 2
    # The outcome page's service: the webhook goes out for each record.
    assert [(s["type"], s["data"]["outcome"]["side"]) for s in _sent(db)] == [
        ("outcome.recorded", "buyer"),
        ("outcome.recorded", "producer"),
        ("outcome.recorded", "buyer"),
    ]
    # A draft is not the sides' to see.
    _is_problem(
        _post(client, f"/api/v1/meetings/{fair.draft.id}/outcome", callers["producer"], json=body), 404
    )
    _is_problem(_post(client, "/api/v1/meetings/2147483647/outcome", callers["buyer"], json=body), 404)


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "kind"),
        ({"kind": "deal"}, "kind"),
        ({"kind": None}, "kind"),
        ({"kind": 3}, "kind"),
        ({"kind": "contract"}, "value_vnd"),  # the service: a contract needs its value
        ({"kind": "contract", "value_vnd": 0}, "value_vnd"),
        ({"kind": "contract", "value_vnd": "150000000"}, "value_vnd"),
        ({"kind": "contract", "value_vnd": 1.5}, "value_vnd"),
        ({"kind": "contract", "value_vnd": 150000000.0}, "value_vnd"),
        ({"kind": "contract", "value_vnd": True}, "value_vnd"),
        ({"kind": "contract", "value_vnd": -1}, "value_vnd"),
        ({"kind": "contract", "value_vnd": 10**16}, "value_vnd"),
        ({"kind": "contract", "value_vnd": 10**30}, "value_vnd"),
        ({"kind": "follow_up", "note": 5}, "note"),
        ({"kind": "follow_up", "note": "a\u0000b"}, "note"),
        ({"kind": "follow_up", "note": "a\ud800b"}, "note"),
        ({"kind": "follow_up", "note": "x" * 5000}, "note"),
        ({"kind": "follow_up", "side": "producer"}, "side"),
        ([1, 2], None),
        ("follow_up", None),
    ],
)
def test_bad_outcome_bodies_are_a_422_naming_the_field_and_write_nothing(
    client, fair, callers, db, body, field
):
    _subscribe(db, fair)
    response = client.post(
        f"/api/v1/meetings/{fair.first.id}/outcome",
        headers=bearer(callers["buyer"], **{"Accept-Language": "en"}),
        json=body,
    )
    _is_problem(response, 422)
    if field:
        assert field in [p["name"] for p in response.get_json()["invalid_params"]]
    assert _count(db, MeetingOutcome) == 0 and _sent(db) == []


def test_outcomes_the_service_refuses_write_nothing(
    client, fair, callers, db, make_event, make_user, make_buyer, make_producer, make_product, make_token
):
    url = f"/api/v1/meetings/{fair.first.id}/outcome"
    malformed = _post(client, url, callers["buyer"], data="{not json", content_type="application/json")
    _is_problem(malformed, 400)
    fair.first.status = "no_show"
    db.session.commit()
    no_show = _post(client, url, callers["buyer"], json={"kind": "follow_up"})
    _is_problem(no_show, 422)
    assert no_show.get_json()["detail"]
    later = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=30)
    upcoming = add_meeting(db, later, later.buyers[0][1], later.producers[0][1], slot=0, table=0)
    token = make_token(later.buyers[0][0], scope="write")
    _is_problem(
        _post(client, f"/api/v1/meetings/{upcoming.id}/outcome", token, json={"kind": "follow_up"}), 422
    )
    assert _count(db, MeetingOutcome) == 0


def test_the_organisers_read_the_outcomes(client, fair, callers, db):
    _post(
        client,
        f"/api/v1/meetings/{fair.first.id}/outcome",
        callers["buyer"],
        json={"kind": "contract", "value_vnd": 150_000_000},
    )
    _post(
        client,
        f"/api/v1/meetings/{fair.first.id}/outcome",
        callers["producer"],
        json={"kind": "contract", "value_vnd": 90_000_000},
    )
    _post(
        client,
        f"/api/v1/meetings/{fair.other.id}/outcome",
        callers["other buyer"],
        json={"kind": "no_interest"},
    )
    assert _count(db, MeetingOutcome) == 3
    url = f"/api/v1/events/{fair.event.id}/outcomes"
    _is_problem(_get(client, url), 401)
    for name, status in (
        ("organiser read", 200),
        ("admin", 200),
        ("other organiser", 403),
        ("buyer", 403),
        ("producer", 403),
        ("one event", 403),
    ):
        response = _get(client, url, callers[name])
        assert response.status_code == status, name
        _is_problem(response, status)

    def records(query: str = "") -> list[tuple]:
        response = _get(client, url + query, callers["organiser"])
        assert response.status_code == 200, response.get_json()
        return [(o["meeting_id"], o["side"], o["kind"], o["value_vnd"]) for o in response.get_json()["items"]]

    assert set(records()) == {
        (fair.first.id, "buyer", "contract", 150_000_000),
        (fair.first.id, "producer", "contract", 90_000_000),
        (fair.other.id, "buyer", "no_interest", None),
    }
    assert records("?kind=contract&sort=-value_vnd") == [
        (fair.first.id, "buyer", "contract", 150_000_000),
        (fair.first.id, "producer", "contract", 90_000_000),
    ]
    assert records("?sort=value_vnd")[-1] == (fair.other.id, "buyer", "no_interest", None)
    assert records("?min_value_vnd=100000000") == [(fair.first.id, "buyer", "contract", 150_000_000)]
    assert records("?side=producer") == [(fair.first.id, "producer", "contract", 90_000_000)]
    assert records("?sort=kind")[0][2] == "no_interest"
    assert records(f"?session_id={fair.session.id}&kind=sample_order") == []
    body = _get(client, url + "?kind=no_interest", callers["organiser"]).get_json()
    assert (
        body["total"] == 1 and body["items"][0]["meeting"]["buyer"]["registration_id"] == fair.buyers[1][1].id
    )
    for query, field in (
        ("kind=deal", "kind"),
        ("min_value_vnd=-1", "min_value_vnd"),
        ("sort=x", "sort"),
        ("contract=1", "contract"),
    ):
        response = _get(client, f"{url}?{query}", callers["organiser"])
        _is_problem(response, 422)
        assert field in [p["name"] for p in response.get_json()["invalid_params"]]
    # A cancelled meeting's records are not reported (as on the outcomes page).
    fair.other.status = "cancelled"
    db.session.commit()
    assert [r[0] for r in records()] == [fair.first.id, fair.first.id]
    etag = _get(client, url, callers["organiser"]).headers["ETag"]
    assert _get(client, url, callers["organiser"], **{"If-None-Match": etag}).status_code == 304


# ---------------------------------------------------------------- the document


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in (
        ("/api/v1/events/{event_id}/meetings", "get"),
        ("/api/v1/meetings/{meeting_id}", "get"),
        ("/api/v1/meetings/{meeting_id}/checkin", "post"),
        ("/api/v1/events/{event_id}/checkins", "get"),
        ("/api/v1/events/{event_id}/outcomes", "get"),
        ("/api/v1/meetings/{meeting_id}/outcome", "post"),
    ):
        operation = paths[path][method]
        assert operation["summary"], path
    listed = {p.get("name") for p in paths["/api/v1/events/{event_id}/meetings"]["get"]["parameters"]}
    assert {
        "day",
        "slot",
        "registration_id",
        "organisation_id",
        "session_id",
        "status",
        "sort",
        "page",
    } <= listed


def test_an_account_made_organiser_no_longer_speaks_for_its_old_organisation(
    client, fair, make_user, make_token, db
):
    """An exhibitor's account moved to the organiser role keeps its organisation id; like the
    pages, the API then refuses it that organisation's agenda, meetings and outcomes."""
    (buyer_user, _b0), _other = fair.buyers
    moved = make_token(make_user(role="organiser", organisation=buyer_user.organisation), scope="write")
    assert _get(client, f"/api/v1/events/{fair.event.id}/agenda", moved).status_code == 403
    assert _get(client, f"/api/v1/meetings/{fair.first.id}", moved).status_code == 404
    recorded = _post(client, f"/api/v1/meetings/{fair.first.id}/outcome", moved, json={"kind": "follow_up"})
    assert recorded.status_code in (403, 404)
    assert _count(db, MeetingOutcome) == 0
