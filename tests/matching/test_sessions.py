"""Matchmaking sessions: settings, capacity check, running, hand edits, publication and repair."""

from __future__ import annotations

import json
from datetime import time

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.errors import PermissionDenied, ServiceError
from app.events.registrations import services as reg
from app.extensions import db as _db
from app.matching.engine import scoring
from app.matching.engine.instance import read_instance
from app.matching.engine.solver import solve
from app.matching.engine.validate import check_schedule
from app.matching.models import Availability, MatchRequest, Meeting
from app.matching.sessions import services
from app.notifications.models import OutboxMessage
from tests.conftest import NOW, text_of
from tests.matching.conftest import small_fair
from tests.pages import check_invalid_fields, field_error, flashes


@pytest.fixture(autouse=True)
def request_context(app, db):
    """Rule messages are lazy strings; these tests read them in English."""
    with app.test_request_context("/?lang=en"):
        yield


def meetings_of(session, status=None):
    query = select(Meeting).where(Meeting.session_id == session.id).order_by(Meeting.id)
    if status:
        query = query.where(Meeting.status == status)
    return list(_db.session.scalars(query))


def mails(kind):
    return list(_db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


# ---------------------------------------------------------------- settings


def test_a_session_gets_sensible_defaults_and_its_slots(fair):
    session = fair.session()
    assert session.state == "draft"
    assert session.meeting_minutes == 20 and session.gap_minutes == 5
    assert services.weights_of(session)["capacity"] > 0
    # 08:30–10:00 with 20-minute meetings and 5-minute gaps: 08:30, 08:55, 09:20 (09:45 would end at 10:05)
    assert [s.start.strftime("%H:%M") for s in services.slots_of(session)] == ["08:30", "08:55", "09:20"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"breaks": "lunch"}, "breaks"),
        ({"breaks": "13:00-12:00"}, "breaks"),
        ({"day_start": time(10, 0), "day_end": time(9, 0)}, "day_end"),
        ({"day_start": time(8, 0), "day_end": time(8, 10)}, "day_end"),  # no slot fits
        ({"tables": 0}, "tables"),
        ({"weights": {"luck": 1.0}}, "weights"),
    ],
)
def test_settings_that_make_no_sense_are_refused_naming_the_field(fair, fields, field):
    with pytest.raises(ServiceError) as error:
        fair.session(**fields)
    assert error.value.field == field


def test_the_session_days_must_be_days_of_the_event(fair):
    first, last = services.event_days(fair.event)
    from datetime import timedelta

    with pytest.raises(ServiceError) as error:
        fair.session(first_day=first - timedelta(days=1))
    assert error.value.field == "first_day"
    session = fair.session(first_day=first, last_day=last)
    assert session.last_day == last


def test_only_the_events_own_organisers_manage_its_sessions(fair, make_user):
    session = fair.session()
    stranger = make_user(role="organiser")
    for call in (
        lambda: services.create_session(stranger, fair.event),
        lambda: services.update_session(stranger, session, tables=9),
        lambda: services.run_matching(stranger, session),
        lambda: services.publish(stranger, session),
        lambda: services.repair(stranger, session),
    ):
        with pytest.raises(PermissionDenied):
            call()


# ---------------------------------------------------------------- the instance


def test_build_instance_follows_the_spec_with_requests_and_availability(fair):
    buyers, producers = small_fair(fair)
    session = fair.session()
    _db.session.add(Availability(session_id=session.id, registration_id=buyers[0].id, slots_json="[0, 2]"))
    requests = [
        (buyers[0], producers[0], "must", "open"),
        (buyers[1], producers[1], "block", "open"),
        (buyers[2], producers[2], "ask", "accepted"),
    ]
    for b, p, kind, status in requests:
        _db.session.add(
            MatchRequest(
                session_id=session.id,
                buyer_registration_id=b.id,
                producer_registration_id=p.id,
                kind=kind,
                status=status,
                requested_by="buyer",
            )
        )
    _db.session.flush()
    instance = services.build_instance(session)
    read_instance(instance)  # schema-valid and consistent
    assert {b["id"] for b in instance["buyers"]} == {f"b{r.id}" for r in buyers}
    assert {p["id"] for p in instance["producers"]} == {f"p{r.id}" for r in producers}
    first = next(b for b in instance["buyers"] if b["id"] == f"b{buyers[0].id}")
    assert first["available_slots"] == [0, 2]
    kinds = {(r["buyer"], r["producer"]): r["kind"] for r in instance["requests"]}
    assert kinds[(f"b{buyers[0].id}", f"p{producers[0].id}")] == "must"
    assert kinds[(f"b{buyers[1].id}", f"p{producers[1].id}")] == "block"
    assert kinds[(f"b{buyers[2].id}", f"p{producers[2].id}")] == "must"  # an accepted ask
    pairs = {(p["buyer"], p["producer"]) for p in instance["pairs"]}
    assert (f"b{buyers[1].id}", f"p{producers[1].id}") not in pairs
    assert all(0 < p["score"] <= 1 for p in instance["pairs"])
    schedule = solve(instance)
    assert check_schedule(instance, schedule) == []


def test_a_producer_with_another_category_or_an_unapproved_registration_is_no_candidate(fair, make_user):
    buyer = fair.buyer(category="tea")
    honey = fair.producer(category="honey")
    instance = services.build_instance(fair.session())
    assert not any(p["producer"] == f"p{honey.id}" for p in instance["pairs"])
    assert [b["id"] for b in instance["buyers"]] == [f"b{buyer.id}"]


# ---------------------------------------------------------------- capacity


def test_the_capacity_check_says_when_the_tables_are_too_few(fair):
    small_fair(fair, buyers=3, producers=3)
    session = fair.session(tables=1)  # 3 slots × 1 table for 9 possible meetings
    report = services.capacity_check(session)
    assert report.demand == 9
    assert report.slots_needed == 3
    assert report.tables_needed == 3
    assert not report.fits
    assert any("tables" in str(line) for line in report.advice)
    services.update_session(fair.organiser, session, tables=3)
    assert services.capacity_check(session).fits


def test_the_capacity_check_asks_for_a_longer_day_when_slots_are_too_few(fair):
    small_fair(fair, buyers=4, producers=4)
    session = fair.session(tables=10)  # 3 slots, but everyone could hold 4 meetings
    report = services.capacity_check(session)
    assert report.slots_needed == 4 and report.slots == 3
    assert not report.fits
    assert any("slots" in str(line) for line in report.advice)


# ---------------------------------------------------------------- running


def test_running_stores_the_meetings_with_codes_and_reasons(fair):
    small_fair(fair)
    session = fair.session()
    result = services.run_matching(fair.organiser, session)
    stored = meetings_of(session)
    assert session.state == "solved"
    assert len(stored) == result.stats["meetings"] == 9
    codes = [m.checkin_code for m in stored]
    assert len(set(codes)) == len(codes) and all(len(c) == services.CODE_LENGTH for c in codes)
    why = json.loads(stored[0].why_json)
    assert {t["term"] for t in why["terms"]} >= {"category", "capacity", "mutual"}
    run = json.loads(session.last_run_json)
    assert run["stats"]["objective"] == pytest.approx(sum(m.score for m in stored), abs=1e-4)
    assert not any(m.published for m in stored)


def test_running_again_replaces_unpublished_meetings_but_keeps_hand_placed_ones(fair):
    small_fair(fair)
    session = fair.session()
    services.run_matching(fair.organiser, session)
    first = meetings_of(session)[0]
    free_table = next(
        t
        for t in range(session.tables)
        if not any(m.slot == first.slot and m.table == t for m in meetings_of(session))
    )
    services.move_meeting(fair.organiser, first, first.slot, free_table)
    services.run_matching(fair.organiser, session)
    again = meetings_of(session)
    assert first in again and (first.slot, first.table) == (first.slot, free_table) and first.fixed
    assert len(again) == 9


def test_a_move_that_double_books_or_leaves_availability_is_refused(fair):
    small_fair(fair)
    session = fair.session()
    services.run_matching(fair.organiser, session)
    stored = meetings_of(session)
    meeting = stored[0]
    same_buyer = next(
        m for m in stored if m.buyer_registration_id == meeting.buyer_registration_id and m.id != meeting.id
    )
    with pytest.raises(ServiceError, match="already has a meeting"):
        services.move_meeting(fair.organiser, meeting, same_buyer.slot, session.tables - 1)
    taken = next(m for m in stored if m.id != meeting.id and m.slot == meeting.slot)
    with pytest.raises(ServiceError, match="is taken"):
        services.move_meeting(fair.organiser, meeting, meeting.slot, taken.table)
    with pytest.raises(ServiceError):
        services.move_meeting(fair.organiser, meeting, 99, 0)
    _db.session.add(
        Availability(
            session_id=session.id,
            registration_id=meeting.buyer_registration_id,
            slots_json=json.dumps([meeting.slot]),
        )
    )
    _db.session.flush()
    with pytest.raises(ServiceError, match="not available"):
        services.move_meeting(fair.organiser, meeting, (meeting.slot + 1) % 3, session.tables - 1)


# ---------------------------------------------------------------- publication


def test_publishing_mails_each_participant_once_with_its_agenda(fair):
    buyers, producers = small_fair(fair)
    session = fair.session()
    with pytest.raises(ServiceError):
        services.publish(fair.organiser, session)  # nothing to publish yet
    services.run_matching(fair.organiser, session)
    notified = services.publish(fair.organiser, session)
    assert notified == 6
    assert session.state == "published"
    assert all(m.published for m in meetings_of(session))
    sent = mails("matching_published")
    assert len(sent) == 6
    assert len({m.to_address for m in sent}) == 6
    first = buyers[0]
    body = next(m.body for m in sent if m.user_id == first.organisation.users[0].id)
    assert all(p.organisation.name in body for p in producers)
    assert "http" in body
    with pytest.raises(ServiceError):
        services.publish(fair.organiser, session)
    assert len(mails("matching_published")) == 6


def test_removing_a_published_meeting_keeps_it_cancelled_with_a_higher_sequence(fair):
    small_fair(fair)
    session = fair.session()
    services.run_matching(fair.organiser, session)
    services.publish(fair.organiser, session)
    meeting = meetings_of(session)[0]
    services.remove_meeting(fair.organiser, meeting)
    assert meeting.status == "cancelled" and meeting.sequence == 1
    assert meeting in meetings_of(session)
    assert {m.user_id for m in mails("matching_update")} == {
        meeting.buyer.organisation.users[0].id,
        meeting.producer.organisation.users[0].id,
    }


def test_removing_an_unpublished_meeting_deletes_it(fair):
    small_fair(fair, buyers=1, producers=1)
    session = fair.session()
    services.run_matching(fair.organiser, session)
    services.remove_meeting(fair.organiser, meetings_of(session)[0])
    assert meetings_of(session) == []


def test_repair_keeps_every_published_meeting_and_tells_only_those_whose_agenda_changed(fair):
    buyers, _producers = small_fair(fair, buyers=2, producers=3)
    session = fair.session(max_meetings_per_producer=3)
    services.run_matching(fair.organiser, session)
    services.publish(fair.organiser, session)
    before = {m.id: (m.slot, m.table, m.sequence, m.status) for m in meetings_of(session)}
    late = fair.buyer()
    withdrawn = buyers[1]
    reg.withdraw(withdrawn.organisation.users[0], withdrawn, now=NOW)
    # the withdrawal moves nobody up from a waiting list; the late buyer is approved
    result = services.repair(fair.organiser, session)
    after = {m.id: m for m in meetings_of(session)}
    for meeting_id, place in before.items():
        meeting = after[meeting_id]
        if meeting.buyer_registration_id == withdrawn.id:
            assert meeting.status == "cancelled" and meeting.sequence == place[2] + 1
        else:
            assert (meeting.slot, meeting.table, meeting.sequence, meeting.status) == place
    added = [m for m in after.values() if m.id not in before]
    assert added and all(m.buyer_registration_id == late.id and m.published for m in added)
    changed = (
        {late.id, withdrawn.id}
        | {m.producer_registration_id for m in added}
        | {m.producer_registration_id for m in after.values() if m.buyer_registration_id == withdrawn.id}
    )
    assert result.notified == changed
    assert buyers[0].id not in result.notified
    told = {m.user_id for m in mails("matching_update")}
    assert buyers[0].organisation.users[0].id not in told
    assert late.organisation.users[0].id in told
    # a second repair with nothing new changes and mails nothing
    count = len(mails("matching_update"))
    assert services.repair(fair.organiser, session).notified == set()
    assert len(mails("matching_update")) == count


def test_repair_is_only_for_a_published_session_and_run_is_not(fair):
    small_fair(fair, buyers=1, producers=1)
    session = fair.session()
    with pytest.raises(ServiceError):
        services.repair(fair.organiser, session)
    services.run_matching(fair.organiser, session)
    services.publish(fair.organiser, session)
    with pytest.raises(ServiceError):
        services.run_matching(fair.organiser, session)


def test_settings_that_would_move_published_meetings_are_refused(fair):
    small_fair(fair, buyers=1, producers=1)
    session = fair.session()
    services.run_matching(fair.organiser, session)
    services.publish(fair.organiser, session)
    with pytest.raises(ServiceError):
        services.update_session(fair.organiser, session, day_start=time(9, 0))
    services.update_session(fair.organiser, session, tables=8)  # more tables move nothing


# ---------------------------------------------------------------- pages


def test_only_the_events_organisers_open_the_matchmaking_pages(
    fair, client, login, make_user, exhibitor, buyer_user
):
    session = fair.session()
    _db.session.commit()
    base = f"/manage/events/{fair.event.id}/matching"
    for user in (make_user(role="organiser"), exhibitor, buyer_user):
        _db.session.commit()
        login(user)
        assert client.get(base).status_code == 403
        assert client.get(f"{base}/{session.id}").status_code == 403
        assert client.post(f"{base}/{session.id}/run").status_code == 403
        client.post("/logout")
    assert not meetings_of(session)


def _flash_starting(page, start: str) -> str:
    """The one flash message that starts with `start`."""
    (message,) = [text for text in flashes(page) if text.startswith(start)]
    return message


def _job_message(page) -> str:
    """How the session's last background job ended, as its panel says."""
    return text_of(page.select_one("#job [data-field=message]"))


def test_weights_all_at_zero_mark_every_weight_field_and_sum_the_refusal_up(fair, client, login, html):
    """The service refuses the weights together: every weight field is marked and tied to the message."""
    _db.session.commit()
    login(fair.organiser)
    first, _ = services.event_days(fair.event)
    form = {
        "name": "Buyer meetings",
        "first_day": first.isoformat(),
        "last_day": first.isoformat(),
        "day_start": "08:30",
        "day_end": "10:00",
        "meeting_minutes": "20",
        "gap_minutes": "5",
        "tables": "2",
        "max_meetings_per_buyer": "8",
        "max_meetings_per_producer": "8",
    }
    weights = [f"weight_{name}" for name in scoring.TERMS]
    base = f"/manage/events/{fair.event.id}/matching?lang=en"
    page = html(client.post(base, data=form | dict.fromkeys(weights, "0")))
    summary = page.select_one("[data-error-summary]")
    assert summary["role"] == "alert" and [a["href"] for a in summary.select("a")] == [f"#{weights[0]}"]
    assert [f["name"] for f in page.select("form [aria-invalid]")] == weights
    for name in weights:
        field = page.find(id=name)
        assert field["aria-invalid"] == "true"
        assert "At least one weight must be above zero." in text_of(page.find(id=field["aria-describedby"]))
    assert "At least one weight must be above zero." in text_of(page.select_one("[data-error-summary]"))
    assert services.sessions_of(fair.event) == []
    page = html(client.post(base, data=form | dict.fromkeys(weights, "0") | {"weight_stars": "2"}))
    check_invalid_fields(page, ["weight_stars"])  # a field's own error: that field alone


def test_the_organiser_configures_runs_moves_and_publishes_from_the_pages(fair, client, login, html, worker):
    small_fair(fair)
    _db.session.commit()
    login(fair.organiser)
    client.get("/?lang=en")
    base = f"/manage/events/{fair.event.id}/matching"
    page = client.get(base)
    assert page.status_code == 200
    new = html(page).find("h2", string="New session").find_parent(class_="card")
    assert new.select_one("form[method=post]")["action"] == base
    first, _ = services.event_days(fair.event)
    form = {
        "name": "Buyer meetings",
        "first_day": first.isoformat(),
        "last_day": first.isoformat(),
        "day_start": "08:30",
        "day_end": "10:00",
        "meeting_minutes": "20",
        "gap_minutes": "5",
        "breaks": "",
        "tables": "1",
        "table_names": "Hall A · table 1",
        "max_meetings_per_buyer": "8",
        "max_meetings_per_producer": "8",
        "weight_capacity": "0.5",
    }
    bad = client.post(base, data=form | {"breaks": "noon"})
    assert "HH:MM-HH:MM" in field_error(html(bad), "breaks")
    created = client.post(base, data=form)
    assert created.status_code == 302
    url = created.headers["Location"]
    # The session page loads its capacity check from the check's own page (it scores every pair).
    loads = html(client.get(url)).select_one("#capacity [data-load-from]")
    assert loads["data-load-from"] == url + "/capacity"
    assert loads.select_one("a")["href"] == url + "/capacity", "without JavaScript, a link to it"
    capacity = html(client.get(url + "/capacity")).select_one("#capacity")
    assert capacity.select_one(loads["data-load-part"]) is not None
    assert capacity.select_one("[data-fits]")["data-fits"] == "no"
    assert any("at least 3 tables" in text_of(advice) for advice in capacity.select(".alert-warning"))
    client.post(url, data=form | {"tables": "4"})
    fits = html(client.get(url + "/capacity")).select_one("#capacity [data-fits]")
    assert fits["data-fits"] == "yes" and text_of(fits) == "✓ The configuration can hold the demand."
    queued = html(client.post(url + "/run", follow_redirects=True))
    panel = queued.select_one("#job")  # the button returned at once: the job waits for a worker
    assert panel["data-state"] == "queued" and panel.select_one(".progress-bar") is not None
    assert queued.select_one("#result [data-figure=meetings]") is None  # no result yet: nothing ran
    worker.drain()
    ran = html(client.get(url))
    assert ran.select_one("#job")["data-state"] == "succeeded"
    assert _job_message(ran).startswith("Matching done: 9 meetings")
    assert text_of(ran.select_one("#result [data-figure=meetings]")) == "9"
    assert text_of(ran.select_one("#result [data-figure=quality]")).endswith("%")
    tables = [text_of(th) for th in ran.select("#grid table thead th")]
    assert tables[:2] == ["Time", "Hall A · table 1"]
    rows = ran.select("#meetings table tbody tr")
    assert len(rows) == 9
    for row in rows:  # each meeting says why it was matched
        why = [text_of(line) for line in row.select("details li")]
        assert any(line.startswith("Supply capacity: Can deliver") for line in why), why
    session = services.sessions_of(fair.event)[0]
    meeting = meetings_of(session)[0]
    other = next(m for m in meetings_of(session) if m.slot == meeting.slot and m.id != meeting.id)
    refused = client.post(
        f"{url}/meetings/{meeting.id}/move",
        data={"slot": meeting.slot, "table": other.table + 1},
        follow_redirects=True,
    )
    assert _flash_starting(html(refused), "The meeting was not moved: ")
    assert client.get(url + "/publish").status_code == 200
    client.post(url + "/publish")
    worker.drain()
    published = html(client.get(url))
    assert _job_message(published).startswith("Published: 6 participants were notified.")
    assert len(mails("matching_published")) == 6
    assert text_of(published.select_one("form#repair-form button[type=submit]")) == "Repair"
    assert published.select_one("form#run-form") is None  # a published session is repaired, not run
    client.post(url + "/repair")
    worker.drain()
    repaired = html(client.get(url))
    assert _job_message(repaired).startswith("Repaired:")
    assert _job_message(repaired).endswith(" 0 participants notified.")


def test_the_event_page_links_to_matchmaking(fair, client, login, html):
    _db.session.commit()
    login(fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}"))
    assert page.select_one(f"main a[href='/manage/events/{fair.event.id}/matching']") is not None


# ---------------------------------------------------------------- at any size


def statements_of(work) -> int:
    """How many SQL statements `work()` sends to the database (from a cold session)."""
    _db.session.flush()
    _db.session.expire_all()
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    sa_event.listen(_db.engine, "before_cursor_execute", counted)
    try:
        work()
    finally:
        sa_event.remove(_db.engine, "before_cursor_execute", counted)
    return count


def _varied_fair(fair, make_producer, make_buyer, make_user, make_product, buyers: int, producers: int):
    """Buyers with two demand lines (standards, preferred provinces, a price ceiling, tonnes), producers
    with two products (standards, units), an accepted ask, a block and partial availability."""
    from app.catalog import services as catalog

    made = []
    for n in range(producers):
        organisation = make_producer(province_code=("22", "01", "79")[n % 3])
        user = make_user(role="exhibitor", organisation=organisation)
        items = [
            make_product(
                organisation, category="tea", stars=3 + n % 3, standards=["vietgap", "organic"][: 1 + n % 2]
            ),
            make_product(
                organisation, category="honey", ocop_group="food", capacity_per_month=2, capacity_unit="tonne"
            ),
        ]
        registration = reg.apply_as_exhibitor(user, fair.event, [item.id for item in items], now=NOW)
        reg.approve(fair.organiser, registration, now=NOW)
        made.append(registration)
    wanting = []
    for n in range(buyers):
        organisation = make_buyer()
        user = make_user(role="buyer", organisation=organisation)
        lines = [
            catalog.save_demand_line(
                user,
                organisation,
                category="tea",
                monthly_volume=300 + n,
                unit="kg",
                min_stars=3 + n % 2,
                standards=["vietgap"],
                provinces=["22", "79"],
                price_ceiling=300_000,
            ),
            catalog.save_demand_line(
                user, organisation, category="honey", monthly_volume=1, unit="tonne", min_stars=3
            ),
        ]
        registration = reg.register_as_buyer(user, fair.event, [line.id for line in lines], now=NOW)
        reg.approve(fair.organiser, registration, now=NOW)
        wanting.append(registration)
    session = fair.session()
    for b, p, kind, status in ((0, 0, "ask", "accepted"), (1, 1, "block", "open")):
        _db.session.add(
            MatchRequest(
                session_id=session.id,
                buyer_registration_id=wanting[b].id,
                producer_registration_id=made[p].id,
                kind=kind,
                status=status,
                requested_by="buyer",
            )
        )
    _db.session.add(Availability(session_id=session.id, registration_id=wanting[0].id, slots_json="[0, 1]"))
    _db.session.flush()
    return session


def test_a_matching_build_sends_the_same_few_queries_whatever_the_events_size(
    fair, make_producer, make_buyer, make_user, make_product
):
    """Profiles, requests, availability and kept meetings are read in bulk: a national event costs
    the database no more statements than a small one (no lazy load per registration or product)."""
    small = _varied_fair(fair, make_producer, make_buyer, make_user, make_product, buyers=2, producers=3)
    small_pairs, small_counts = _statements_of_a_run(small, fair)
    # The event grown: four times the participants, and a second session over all of them.
    fair.event.exhibitor_capacity = fair.event.buyer_capacity = 100
    _varied_fair(fair, make_producer, make_buyer, make_user, make_product, buyers=6, producers=9)
    large_pairs, large_counts = _statements_of_a_run(fair.session(name="Phiên 2"), fair)
    assert large_pairs > 4 * small_pairs > 0
    assert large_counts == small_counts
    build, capacity, run = small_counts
    assert build <= 15 and capacity <= 16 and run <= 50, small_counts


def _statements_of_a_run(session, fair) -> tuple[int, tuple[int, int, int]]:
    """The candidate pairs, and the statements of building the instance, of the capacity check and
    of a whole run (its meetings written)."""
    pairs = len(services.build_instance(session)["pairs"])
    build = statements_of(lambda: services.build_instance(session))
    capacity = statements_of(lambda: services.capacity_check(session))
    run = statements_of(lambda: services.run_matching(fair.organiser, session))
    assert meetings_of(session)
    return pairs, (build, capacity, run)


def _figures_now(session) -> dict:
    """The figures the page shows; the stored summary is also what aggregating afresh gives."""
    from app.matching.sessions import grid

    stored = json.loads(session.last_run_json)["summary"]
    assert stored == grid.schedule_summary(session, json.loads(session.last_run_json))
    view = grid.overview(session)
    return view.figures | {"cancelled": view.cancelled_total}


def _expected(session) -> dict:
    """The same figures counted here from the session's meetings, one by one."""
    active = [m for m in meetings_of(session) if m.status != "cancelled"]
    per_person: dict[int, list[int]] = {}
    for m in active:
        per_person.setdefault(m.buyer_registration_id, []).append(m.slot)
        per_person.setdefault(m.producer_registration_id, []).append(m.slot)
    return {
        "meetings": len(active),
        "slots_used": len({m.slot for m in active}),
        "idle_gaps": sum(max(s) - min(s) + 1 - len(set(s)) for s in per_person.values()),
        "people_with_meetings": len(per_person),
        "cancelled": len([m for m in meetings_of(session, "cancelled") if m.published]),
    }


def _shown(figures: dict) -> dict:
    return {
        key: figures[key]
        for key in ("meetings", "slots_used", "idle_gaps", "people_with_meetings", "cancelled")
    }


def test_the_stored_figures_follow_the_run_a_move_and_a_removal(fair):
    from app.matching.sessions import grid

    small_fair(fair)
    session = fair.session(day_end=time(11, 30))  # more slots than the 3 meetings a person
    services.run_matching(fair.organiser, session)
    assert _shown(_figures_now(session)) == _expected(session)
    # a meeting moved to another slot both sides can take (the figures per slot and person change)
    moves = [
        (m, slot.index, choices)
        for m in meetings_of(session)
        for choices in [grid.move_choices(session, m, None)]
        for slot, _free in choices.slots
        if slot.index != m.slot
    ]
    assert moves, "some meeting can move to another slot"
    meeting, slot, _choices = moves[0]
    before = _expected(session)
    services.move_meeting(fair.organiser, meeting, slot, grid.move_choices(session, meeting, slot).tables[0])
    assert meeting.slot == slot
    after = _expected(session)
    assert _shown(_figures_now(session)) == after
    services.publish(fair.organiser, session)
    services.remove_meeting(fair.organiser, meeting)
    removed = _shown(_figures_now(session))
    assert removed == _expected(session)
    assert removed["meetings"] == before["meetings"] - 1 and removed["cancelled"] == 1


def test_the_summaries_command_stores_the_figures_of_schedules_solved_before(fair, app):
    small_fair(fair)
    session = fair.session()
    services.run_matching(fair.organiser, session)
    last_run = json.loads(session.last_run_json)
    del last_run["summary"]  # as a schedule solved before the figures were stored
    session.last_run_json = json.dumps(last_run)
    _db.session.commit()
    result = app.test_cli_runner().invoke(args=["matching", "summaries"])
    assert result.exit_code == 0, result.output
    _db.session.refresh(session)
    assert json.loads(session.last_run_json)["summary"]["meetings"] == len(meetings_of(session))
