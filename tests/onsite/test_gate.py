"""Gate check-in: by badge, once a day per participant, counted per gate and hour; the meetings rule."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.errors import PermissionDenied, ServiceError
from app.eventlog.models import EventLogEntry
from app.onsite import services as checkin
from app.onsite.badges.services import badge_token
from app.onsite.gate import services as gate
from app.onsite.gate.models import GateCheckin
from tests.conftest import text_of
from tests.matching.test_agenda import ZONE, add_meeting
from tests.onsite.desk_support import client_as, every_role, refused, running_fair


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


def _at(fair, hour: int, minute: int = 0, day_offset: int = 0) -> datetime:
    local = datetime.combine(fair.day + timedelta(days=day_offset), time(hour, minute), ZoneInfo(ZONE))
    return local.astimezone(UTC)


def _gate_rows(db) -> int:
    return db.session.scalar(select(func.count()).select_from(GateCheckin))


def test_a_participant_comes_in_once_a_day_and_a_second_scan_says_when_and_where(db, fair):
    registration = fair.buyers[0][1]
    token = badge_token(registration)
    first = gate.check_in_at_gate(fair.organiser, fair.event, token, "  Cổng  chính ", now=_at(fair, 8, 5))
    db.session.commit()
    assert not first.already and first.time_text == "08:05" and first.checkin.gate == "Cổng chính"
    again = gate.check_in_at_gate(fair.organiser, fair.event, token.lower(), "Cổng phụ", now=_at(fair, 9, 40))
    assert again.already and again.time_text == "08:05" and again.checkin.gate == "Cổng chính"
    assert _gate_rows(db) == 1
    tomorrow = gate.check_in_at_gate(fair.organiser, fair.event, token, "Cổng phụ", now=_at(fair, 8, 1, 1))
    db.session.commit()
    assert not tomorrow.already and _gate_rows(db) == 2
    entry = db.session.scalars(select(EventLogEntry).where(EventLogEntry.action == "gate_checked_in")).first()
    assert entry is not None and entry.event_id == fair.event.id and entry.actor_id == fair.organiser.id


def test_forged_foreign_and_nameless_gate_scans_write_nothing(
    db, fair, make_event, make_user, make_buyer, make_producer, make_product
):
    token = badge_token(fair.buyers[0][1])
    elsewhere = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    for bad, message in (
        (token[:-1] + ("A" if token[-1] != "A" else "B"), "not genuine"),
        (badge_token(elsewhere.buyers[0][1]), "another event"),
        ("K00001X", "not a badge code"),
    ):
        with pytest.raises(ServiceError, match=message):
            gate.check_in_at_gate(fair.organiser, fair.event, bad, "Gate A")
    with pytest.raises(ServiceError, match="Name the gate"):
        gate.check_in_at_gate(fair.organiser, fair.event, token, "   ")
    with pytest.raises(ServiceError, match="at most 60"):
        gate.check_in_at_gate(fair.organiser, fair.event, token, "x" * 61)
    with pytest.raises(PermissionDenied):
        gate.check_in_at_gate(elsewhere.organiser, fair.event, token, "Gate A")
    assert _gate_rows(db) == 0


def test_counts_per_gate_and_per_hour_on_the_events_clock(db, fair):
    people = [r for _u, r in fair.buyers + fair.producers]
    scans = [(people[0], "Gate A", 8, 10), (people[1], "Gate A", 8, 50), (people[2], "Gate B", 9, 5)]
    scans.append((people[3], "Gate A", 13, 0))
    for registration, name, hour, minute in scans:
        gate.check_in_at_gate(
            fair.organiser, fair.event, badge_token(registration), name, now=_at(fair, hour, minute)
        )
    counts = gate.gate_counts(fair.organiser, fair.event)
    assert counts.total == 4
    assert counts.by_gate == [("Gate A", 3), ("Gate B", 1)]
    day = fair.day.isoformat()
    assert counts.by_hour == [(f"{day} 08:00", 2), (f"{day} 09:00", 1), (f"{day} 13:00", 1)]


# ---------------------------------------------------------------- the rule for meetings


def test_with_the_rule_on_a_meeting_needs_both_sides_through_the_gate_that_day(db, fair):
    (_u, buyer), _b = fair.buyers
    (_p, producer), _q = fair.producers
    meeting = add_meeting(db, fair, buyer, producer, slot=0, table=0)
    now = _at(fair, 8, 40)
    gate.set_meetings_need_gate(fair.organiser, fair.event, True)
    db.session.commit()
    with pytest.raises(ServiceError) as refusal:
        checkin.check_in_meeting(fair.organiser, meeting, now=now)
    message = str(refusal.value.message)
    assert "Not checked in at the gate today" in message
    assert buyer.organisation.name in message and producer.organisation.name in message
    gate.check_in_at_gate(fair.organiser, fair.event, badge_token(buyer), "Gate A", now=_at(fair, 8, 0))
    # yesterday's gate check-in of the producer does not count today
    gate.check_in_at_gate(
        fair.organiser, fair.event, badge_token(producer), "Gate A", now=_at(fair, 8, 0, -1)
    )
    with pytest.raises(ServiceError) as refusal:
        checkin.check_in_meeting(fair.organiser, meeting, now=now)
    assert producer.organisation.name in str(refusal.value.message)
    assert buyer.organisation.name not in str(refusal.value.message)
    assert meeting.checked_in_at is None
    gate.check_in_at_gate(fair.organiser, fair.event, badge_token(producer), "Gate B", now=_at(fair, 8, 30))
    result = checkin.check_in_meeting(fair.organiser, meeting, now=now)
    assert not result.already and meeting.status == "held"


def test_without_the_rule_meetings_are_checked_in_as_before(db, fair):
    meeting = add_meeting(db, fair, fair.buyers[0][1], fair.producers[0][1], slot=0, table=0)
    assert not gate.meetings_need_gate(fair.event)
    gate.set_meetings_need_gate(fair.organiser, fair.event, True)
    gate.set_meetings_need_gate(fair.organiser, fair.event, False)
    assert checkin.check_in_meeting(fair.organiser, meeting, now=_at(fair, 8, 40)).meeting.status == "held"


def test_the_meeting_checkin_page_gives_the_gate_rule_message(app, db, fair, html):
    meeting = add_meeting(db, fair, fair.buyers[0][1], fair.producers[0][1], slot=0, table=0)
    gate.set_meetings_need_gate(fair.organiser, fair.event, True)
    db.session.commit()
    client = client_as(app, fair.organiser)
    response = client.post(
        f"/manage/events/{fair.event.id}/checkin",
        data={"code": meeting.checkin_code},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    summary = text_of(html(response).select_one("[data-error-summary]"))  # in the account's language
    for _user, registration in (fair.buyers[0], fair.producers[0]):
        assert registration.organisation.name in summary  # each one missing at the gate is named
    db.session.expire_all()
    assert meeting.checked_in_at is None


# ---------------------------------------------------------------- pages


def test_the_gate_page_checks_a_badge_in_and_keeps_the_gate_name(app, db, fair, html):
    client = client_as(app, fair.organiser)
    registration = fair.producers[1][1]
    url = f"/manage/events/{fair.event.id}/gate"
    assert client.get(url + "?gate=North").status_code == 200
    response = client.post(url, data={"gate": "North", "token": badge_token(registration)})
    page = html(response)
    assert response.status_code == 200
    assert page.select_one("[data-gate-checkin]")["data-gate-checkin"] == "done"
    assert page.select_one("input[name=gate]")["value"] == "North"
    assert not page.select_one("input[name=token]").get("value")
    again = html(client.post(url, data={"gate": "South", "token": badge_token(registration)}))
    assert again.select_one("[data-gate-checkin]")["data-gate-checkin"] == "already"
    assert "North" in text_of(again.select_one("[data-gate-checkin]"))
    forged = client.post(url, data={"gate": "North", "token": "B-1-2-AAAAAAAAAAAAAAAA"})
    assert forged.status_code == 422
    field = html(forged).select_one("input[name=token]")
    assert field["aria-invalid"] == "true"
    assert client.post(url, data={"gate": "", "token": badge_token(registration)}).status_code == 422
    assert _gate_rows(db) == 1


def test_the_counts_page_shows_tables_a_chart_and_the_rule_switch(app, db, fair, html):
    gate.check_in_at_gate(fair.organiser, fair.event, badge_token(fair.buyers[0][1]), "Gate A")
    gate.check_in_at_gate(fair.organiser, fair.event, badge_token(fair.buyers[1][1]), "Gate B")
    db.session.commit()
    client = client_as(app, fair.organiser)
    url = f"/manage/events/{fair.event.id}/gate/counts"
    page = html(client.get(url))
    rows = [
        [text_of(cell) for cell in row.select("th, td")] for row in page.select("[data-gate-counts] tbody tr")
    ]
    assert sorted(rows) == [["Gate A", "1"], ["Gate B", "1"]]
    assert sum(int(text_of(row.select_one("td"))) for row in page.select("[data-hour-counts] tbody tr")) == 2
    assert page.select_one(".dashboard-chart svg[role=img]") is not None
    assert not page.select_one("input[name=meetings_need_gate]").has_attr("checked")
    assert (
        client.post(f"/manage/events/{fair.event.id}/gate/rule", data={"meetings_need_gate": "y"}).status_code
        == 302
    )
    assert html(client.get(url)).select_one("input[name=meetings_need_gate]").has_attr("checked")
    assert gate.meetings_need_gate(fair.event)
    client.post(f"/manage/events/{fair.event.id}/gate/rule", data={})
    db.session.expire_all()
    assert not gate.meetings_need_gate(fair.event)


def test_only_the_events_organisers_and_admins_run_the_gate(app, db, fair, make_user):
    """Anonymous → login; another organiser, an exhibitor, a buyer → 403, and nothing written."""
    base = f"/manage/events/{fair.event.id}/gate"
    token = badge_token(fair.buyers[0][1])
    for label, user, allowed in every_role(fair, make_user):
        client = client_as(app, user)
        pages = [client.get(base), client.get(base + "/counts")]
        writes = [
            client.post(base, data={"gate": "X", "token": token}),
            client.post(base + "/rule", data={"meetings_need_gate": "y"}),
        ]
        if allowed:
            assert [r.status_code for r in pages] == [200, 200], label
            assert writes[0].status_code == 200 and writes[1].status_code == 302, label
        else:
            assert all(refused(r) for r in pages + writes), label
            assert _gate_rows(db) == 0 and not gate.meetings_need_gate(fair.event), label
        gate.set_meetings_need_gate(fair.organiser, fair.event, False)
        db.session.query(GateCheckin).delete()
        db.session.commit()
