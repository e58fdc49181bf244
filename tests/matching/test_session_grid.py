"""The organiser's session page at a national conference's size (24,000 meetings, 11,000
participants): meetings filtered by day, slot, table and person, a page at a time; figures from
aggregations; a meeting moved through its own small form (the page's dialog), not a slot menu per
row. The page's statements do not grow with the meetings or the participants."""

from __future__ import annotations

import json
from datetime import time, timedelta
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, insert, select

from app.catalog.models import Organisation
from app.data.provinces import fold
from app.events.models import Registration
from app.extensions import db as _db
from app.matching.models import Availability, Meeting
from app.matching.sessions import grid, services
from tests.conftest import queries_of, text_of

QUERY_BOUND = 25  # statements for the whole session page, whatever the meetings and participants
PAGE_BYTES = 200_000
_codes = count(1)


def bulk_schedule(session, buyers: int, producers: int, meetings_each: int, *, names=None):
    """`buyers` × `producers` approved registrations and `meetings_each` meetings a buyer, written
    in bulk: buyer i meets producer (i + k) mod P in slot k at table i (no double booking).
    Returns (buyer ids, producer ids). `names` gives the first organisations their names."""
    assert buyers <= producers and buyers <= session.tables
    names = list(names or [])

    def organisations(role: str, n: int) -> list[int]:
        rows = []
        for _i in range(n):
            name = names.pop(0) if names else f"{'Siêu thị' if role == 'buyer' else 'HTX'} số {next(_codes)}"
            kind = {"buyer_type": "supermarket"} if role == "buyer" else {"producer_kind": "cooperative"}
            rows.append({"role": role, "name": name, "province_code": "22", "search_text": fold(name)} | kind)
        return [
            row.id for row in _db.session.execute(insert(Organisation).returning(Organisation.id), rows).all()
        ]

    def registrations(role: str, organisation_ids: list[int]) -> list[int]:
        rows = [
            {"event_id": session.event_id, "organisation_id": oid, "role": role, "status": "approved"}
            for oid in organisation_ids
        ]
        return [
            row.id for row in _db.session.execute(insert(Registration).returning(Registration.id), rows).all()
        ]

    buyer_ids = registrations("buyer", organisations("buyer", buyers))
    producer_ids = registrations("exhibitor", organisations("producer", producers))
    meetings = [
        {
            "session_id": session.id,
            "buyer_registration_id": buyer_ids[i],
            "producer_registration_id": producer_ids[(i + k) % producers],
            "slot": k,
            "table": i,
            "score": 0.5,
            "why_json": json.dumps({"terms": []}),
            "status": "scheduled",
            "published": False,
            "fixed": False,
            "sequence": 0,
            "checkin_code": f"G{next(_codes):09d}",
        }
        for i in range(buyers)
        for k in range(meetings_each)
    ]
    if meetings:
        _db.session.execute(insert(Meeting), meetings)
    session.state = "solved"
    everyone = [f"b{b}" for b in buyer_ids] + [f"p{p}" for p in producer_ids]
    session.last_run_json = json.dumps(
        {
            "candidates": {pid: 3 for pid in everyone},
            "unscheduled": [
                {"buyer": f"b{buyer_ids[0]}", "producer": f"p{producer_ids[-1]}", "reason": "is fully booked"}
            ],
            "stats": {"upper_bound": 1000.0, "runtime_s": 0.1},
        }
    )
    _db.session.flush()
    return buyer_ids, producer_ids


@pytest.fixture()
def grid_session(fair):
    """A two-day session of 10 slots a day and 60 tables, with no participant yet."""
    first = fair.event.starts_at.date() + timedelta(days=1)
    return fair.session(
        first_day=first,
        last_day=first + timedelta(days=1),
        day_start=time(8, 0),
        day_end=time(12, 10),
        meeting_minutes=20,
        gap_minutes=5,
        tables=60,
    )


def _url(session) -> str:
    return f"/manage/events/{session.event_id}/matching/{session.id}"


def _rows(page) -> list:
    return page.select("#meetings table tbody tr")


@pytest.fixture()
def as_organiser(fair, client, login):
    def go():
        _db.session.commit()
        login(fair.organiser)
        client.get("/?lang=en")

    return go


# ---------------------------------------------------------------- bounded


@pytest.mark.parametrize("query", ["", "?person=so 1", "?day=x&slot=1&table=2"])
def test_the_session_page_sends_a_bounded_number_of_statements_whatever_its_size(
    grid_session, client, as_organiser, query
):
    bulk_schedule(grid_session, 2, 3, 2)
    as_organiser()
    pages = (_url(grid_session) + query, _url(grid_session) + "/people" + query)
    small = [queries_of(client, url) for url in pages]
    bulk_schedule(grid_session, 55, 90, 18)  # 990 more meetings, 145 more participants
    _db.session.commit()
    large = [queries_of(client, url) for url in pages]
    print(f"session page, its participants{query}: {small} statements at 4 meetings, {large} at 994")
    assert max(large) <= QUERY_BOUND, large
    assert large == small, (small, large)


def test_the_session_page_stays_small_with_a_thousand_meetings(grid_session, client, as_organiser, html):
    bulk_schedule(grid_session, 55, 90, 18)
    as_organiser()
    for query in ("", f"?per_page={grid.MAX_MEETINGS_PER_PAGE}"):
        response = client.get(_url(grid_session) + query)
        assert response.status_code == 200
        print(f"session page{query}: {len(response.data):,} bytes")
        assert len(response.data) < PAGE_BYTES, len(response.data)
    page = html(response)
    assert len(_rows(page)) == grid.MAX_MEETINGS_PER_PAGE
    assert page.select("#meetings select, #meetings form") == [], "no slot menu or form per meeting"
    assert len(page.select("#meetings a[data-move-dialog]")) == grid.MAX_MEETINGS_PER_PAGE
    assert text_of(page.select_one("[data-figure=meetings]")) == "990"
    assert page.select("#people tbody tr") == [], "the participants load into their card"
    people_url = page.select_one("#people [data-load-from]")["data-load-from"]
    assert page.select_one(f"#people a[href='{people_url}']"), "a plain link without JavaScript"
    people = html(client.get(people_url))
    assert len(people.select("[data-people-list] tbody tr")) == grid.PEOPLE_PER_PAGE
    approved = _db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == grid_session.event_id, Registration.status == "approved"
        )
    )
    assert text_of(people.select_one("[data-people-count]")) == f"{approved} approved participants"
    second = people.select_one("[data-people-list] .pagination a[href*='page=2']")["href"]
    assert len(html(client.get(second)).select("[data-people-list] tbody tr")) == grid.PEOPLE_PER_PAGE


# ---------------------------------------------------------------- figures


def test_the_figures_come_from_the_whole_schedule(grid_session, fair, client, as_organiser, html):
    buyer_ids, producer_ids = bulk_schedule(grid_session, 3, 4, 2)
    # buyer 0 also meets its last producer in slot 4: two empty slots (2, 3) in its agenda
    _db.session.execute(
        insert(Meeting),
        [
            {
                "session_id": grid_session.id,
                "buyer_registration_id": buyer_ids[0],
                "producer_registration_id": producer_ids[3],
                "slot": 4,
                "table": 0,
                "score": 0.25,
                "status": "scheduled",
                "checkin_code": "IDLEGAP01",
            }
        ],
    )
    as_organiser()
    page = html(client.get(_url(grid_session)))
    assert text_of(page.select_one("[data-figure=meetings]")) == "7"
    # buyer 0: slots 0, 1, 4 (2 gaps); producer 3: slots 4 and (buyer 2, k=1) 1 (2 gaps)
    assert text_of(page.select_one("[data-figure=idle-gaps]")) == "4"
    assert text_of(page.select_one("[data-figure=no-meeting]")) == "0"
    assert text_of(page.select_one("[data-figure=unmet]")) == "0", "the unmet must pair meets now"
    view = grid.overview(grid_session)
    assert view.figures["objective"] == pytest.approx(6 * 0.5 + 0.25)
    assert view.figures["lower_bound_slots"] == 3  # buyer 0 has 3 meetings
    assert view.figures["people_with_meetings"] == 7


# ---------------------------------------------------------------- filters and pages


def test_the_meetings_come_by_slot_and_table_a_page_at_a_time_and_pages_keep_the_filters(
    grid_session, client, as_organiser, html
):
    bulk_schedule(grid_session, 30, 30, 4)  # 120 meetings
    as_organiser()
    first = html(client.get(_url(grid_session) + "?per_page=50"))
    rows = _rows(first)
    assert len(rows) == 50
    keys = [(int(r["data-slot"]), int(r["data-table"])) for r in rows]
    assert keys == sorted(keys) and keys[0] == (0, 0) and keys[30] == (1, 0)
    links = {text_of(a): a["href"] for a in first.select("#meetings .pagination a.page-link")}
    assert set(links) >= {"1", "2", "3", "Next"}
    third = html(client.get(links["3"]))
    assert len(_rows(third)) == 20
    filtered = html(client.get(_url(grid_session) + "?slot=2&per_page=10"))
    assert {r["data-slot"] for r in _rows(filtered)} == {"2"}
    pages = filtered.select("#meetings .pagination a.page-link")
    second = next(a["href"] for a in pages if text_of(a) == "2")
    assert parse_qs(urlsplit(second).query) == {"slot": ["2"], "per_page": ["10"], "page": ["2"]}
    assert "30 meetings match the filters." in text_of(filtered.select_one("[data-results]"))


def test_filters_by_day_table_and_person_name_or_registration(grid_session, client, as_organiser, html):
    _buyer_ids, producer_ids = bulk_schedule(
        grid_session, 12, 12, 12, names=["Siêu thị Hạ Long Xanh", "Khách sạn Vịnh Ngọc"]
    )
    as_organiser()
    slots = services.slots_of(grid_session)
    second_day = slots[-1].start.date()
    by_day = _rows(html(client.get(_url(grid_session) + f"?day={second_day.isoformat()}&per_page=100")))
    assert by_day and {slots[int(r["data-slot"])].start.date() for r in by_day} == {second_day}
    assert len(by_day) == 12 * sum(1 for s in slots[:12] if s.start.date() == second_day)
    by_table = _rows(html(client.get(_url(grid_session) + "?table=2&per_page=100")))
    assert len(by_table) == 12 and {r["data-table"] for r in by_table} == {"1"}
    by_name = _rows(html(client.get(_url(grid_session) + "?person=ha long xanh&per_page=100")))
    assert len(by_name) == 12 and all("Siêu thị Hạ Long Xanh" in text_of(r) for r in by_name)
    by_number = html(client.get(_url(grid_session) + f"?person=%23{producer_ids[0]}&per_page=100"))
    assert len(_rows(by_number)) == 12  # every buyer meets each producer once
    people_url = by_number.select_one("#people [data-load-from]")["data-load-from"]
    assert parse_qs(urlsplit(people_url).query) == {"person": [f"#{producer_ids[0]}"]}
    people = html(client.get(people_url)).select("[data-people-list] tbody tr")
    assert [r["data-registration"] for r in people] == [str(producer_ids[0])]
    none = html(client.get(_url(grid_session) + "?person=durian"))
    assert _rows(none) == []
    assert text_of(none.select_one("[data-empty=filters]")) == "No meeting matches these filters."


def test_a_page_too_large_or_past_the_end_says_so(grid_session, client, as_organiser, html):
    bulk_schedule(grid_session, 5, 5, 2)
    as_organiser()
    big = html(client.get(_url(grid_session) + "?per_page=100000"))
    assert "At most 100 meetings are shown a page" in text_of(big.select_one("[data-notice=per-page]"))
    assert len(_rows(big)) == 10
    for page in ("9", str(2**31 - 1)):
        past = client.get(_url(grid_session) + f"?page={page}&per_page=100")
        assert past.status_code == 200
        empty = html(past).select_one("[data-empty=page]")
        assert text_of(empty).startswith(f"There is no page {page}: the list has 1.")
    for hostile in ("per_page=-1", "page=abc", "slot=99999999999", "day=2027-13-45", "table=0"):
        assert len(_rows(html(client.get(_url(grid_session) + "?" + hostile)))) == 10, hostile


# ---------------------------------------------------------------- settings, loaded into their card


def test_the_settings_form_loads_into_its_card_and_a_refused_save_shows_it_in_the_page(
    grid_session, client, as_organiser, html
):
    as_organiser()
    page = html(client.get(_url(grid_session)))
    assert page.select("#settings form") == [], "the form loads into its card"
    settings_url = page.select_one("#settings [data-load-from]")["data-load-from"]
    assert page.select_one(f"#settings a[href='{settings_url}']"), "a plain link without JavaScript"
    form = html(client.get(settings_url)).select_one("[data-settings-form] form#settings-form")
    assert form["action"] == _url(grid_session) and form["method"] == "post"
    assert form.select_one("#name")["value"] == grid_session.name
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    data |= {area["name"]: area.text for area in form.select("textarea[name]")}
    refused = html(client.post(_url(grid_session), data=data | {"meeting_minutes": "0"}))
    assert refused.select_one("#settings form#settings-form #meeting_minutes"), "shown again, with the error"
    _db.session.expire_all()
    assert _db.session.get(type(grid_session), grid_session.id).meeting_minutes == 20
    saved = client.post(_url(grid_session), data=data | {"name": "Renamed"})
    assert saved.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(type(grid_session), grid_session.id).name == "Renamed"


# ---------------------------------------------------------------- moving one meeting


def test_the_move_form_offers_only_slots_both_can_take_and_free_tables(
    grid_session, client, as_organiser, html
):
    buyer_ids, _producer_ids = bulk_schedule(grid_session, 3, 3, 3)
    # The producer of buyer 0's slot-0 meeting can't come in slot 5.
    meeting = _db.session.scalar(
        select(Meeting).where(Meeting.buyer_registration_id == buyer_ids[0], Meeting.slot == 0)
    )
    everything_but_5 = [s for s in range(len(services.slots_of(grid_session))) if s != 5]
    _db.session.add(
        Availability(
            session_id=grid_session.id,
            registration_id=meeting.producer_registration_id,
            slots_json=json.dumps(everything_but_5),
        )
    )
    as_organiser()
    url = f"{_url(grid_session)}/meetings/{meeting.id}/move"
    form = html(client.get(url + "?back=slot%3D0")).select_one("[data-move-content]")
    offered = [int(o["value"]) for o in form.select("#move-slot option")]
    # slots 1, 2: buyer 0 meets others then; 5: the producer is away
    assert 0 in offered and 1 not in offered and 2 not in offered and 5 not in offered and 3 in offered
    assert form.select_one("#move-slot option[selected]")["value"] == "0"
    tables = [int(o["value"]) for o in form.select("#move-table option")]
    assert 1 in tables and 2 not in tables and 3 not in tables, "tables 2 and 3 are taken in slot 0"
    in_slot_3 = html(client.get(url + "?slot=3")).select_one("[data-move-content]")
    assert in_slot_3.select_one("form#move-form input[name=slot]")["value"] == "3"
    assert len(in_slot_3.select("#move-table option")) == grid_session.tables
    moved = client.post(
        url, data={"slot": "3", "table": "7", "back": in_slot_3.select_one("input[name=back]")["value"]}
    )
    assert moved.status_code == 302
    _db.session.expire_all()
    again = _db.session.get(Meeting, meeting.id)
    assert (again.slot, again.table, again.fixed) == (3, 6, True)
    assert moved.headers["Location"] == f"{_url(grid_session)}#meeting-{meeting.id}"
    kept = client.post(url, data={"slot": "0", "table": "1", "back": "slot=0&person=x"})
    assert kept.headers["Location"] == f"{_url(grid_session)}?slot=0&person=x#meeting-{meeting.id}"


def test_only_the_events_organisers_see_the_move_form_the_capacity_check_people_and_settings(
    grid_session, client, login, make_user, exhibitor, buyer_user
):
    buyer_ids, _ = bulk_schedule(grid_session, 1, 1, 1)
    meeting = _db.session.scalar(select(Meeting).where(Meeting.buyer_registration_id == buyer_ids[0]))
    _db.session.commit()
    base = _url(grid_session)
    for user in (make_user(role="organiser"), exhibitor, buyer_user):
        _db.session.commit()
        login(user)
        assert client.get(f"{base}/meetings/{meeting.id}/move").status_code == 403
        moved = client.post(f"{base}/meetings/{meeting.id}/move", data={"slot": 1, "table": 1})
        assert moved.status_code == 403
        for part in ("capacity", "people", "settings"):
            assert client.get(f"{base}/{part}").status_code == 403, part
        client.post("/logout")
    client.post("/logout")
    for part in ("capacity", "people", "settings"):
        assert client.get(f"{base}/{part}").status_code in (302, 401), part
    _db.session.expire_all()
    assert _db.session.get(Meeting, meeting.id).slot == 0
