"""Each figure of the event dashboard leads to the list behind it, filtered to exactly the rows
it counted: a test follows every linked cell of the meetings tables (by buyer type, producer's
province, OCOP group and star tier, the forum's meetings included), the exhibitors by group and
stars, the booths by payment and the headline figures, and counts the list's rows against the
figure. The lists' new filters refuse unknown values with a message and status 400."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.events.models import Registration
from tests.conftest import queries_of, text_of
from tests.reports import test_dashboard as built
from tests.reports.test_dashboard import add_forum, grow

fair = built.fair  # the hand-built event of the dashboard's tests (a fixture)

MEETINGS_TABLES = ("meetings_by_buyer_type", "meetings_by_province", "meetings_by_group", "meetings_by_stars")


def _number(text: str) -> int:
    return int(text.replace(",", "").replace(".", "").strip())


def _meetings_listed(client, html, href):
    response = client.get(href + ("&" if "?" in href else "?") + "lang=en")
    assert response.status_code == 200, href
    page = html(response)
    return page, len(page.select("table tbody tr[data-meeting]"))


@pytest.mark.parametrize("dashboard_filters", ["", "&province=24", "&buyer_type=supermarket"])
def test_every_meetings_cell_leads_to_exactly_the_meetings_it_counts(
    client, login, db, fair, organiser, html, dashboard_filters
):
    add_forum(db, fair)
    login(organiser)
    url = f"/manage/events/{fair.event.id}/dashboard?lang=en&fresh=1{dashboard_filters}"
    board = html(client.get(url))
    followed = set()
    for key in MEETINGS_TABLES:
        for row in board.select(f'table[data-table="{key}"] tbody tr'):
            for cell in row.select("td a"):
                column = cell.parent["data-column"]
                href = cell["href"]
                assert column not in ("asks", "accepted")  # no list behind an ask
                if dashboard_filters:
                    assert dashboard_filters[1:] in href  # the dashboard's filter carries over
                page, listed = _meetings_listed(client, html, href)
                if column == "contract_vnd":
                    assert text_of(page.select_one('[data-total="contract_vnd"] .fs-5')) == text_of(cell)
                else:
                    assert listed == _number(text_of(cell)), (key, text_of(row.th), column, href)
                    assert text_of(page.select_one('[data-total="meetings"] .fs-5')) == str(listed)
                followed.add((key, column))
    for key in MEETINGS_TABLES:
        assert {(key, c) for c in ("meetings", "held", "no_shows", "contracts")} <= followed, key
    if not dashboard_filters:
        # The forum's two producers: under "no buyer" (the "-" key), one meeting, a contract.
        no_buyer = board.find("th", string="No buyer (producers meeting in a forum)").parent
        href = no_buyer.select_one('td[data-column="meetings"] a')["href"]
        assert href.endswith("/outcomes?buyer_type=-")
        assert _meetings_listed(client, html, href)[1] == 1


def test_the_outcomes_page_names_its_filters_and_clears_them(client, login, fair, organiser, html):
    login(organiser)
    page = html(
        client.get(
            f"/manage/events/{fair.event.id}/outcomes?lang=en&buyer_type=supermarket&province=24&contract=1"
        )
    )
    shown = {
        chip["data-filter"]: text_of(chip) for chip in page.select("[data-active-filters] [data-filter]")
    }
    assert shown == {
        "buyer_type": "Buyer type: Supermarket",
        "province": "Producer's province: Bắc Ninh",
        "contract": "Outcome: Contract",
    }
    assert page.select_one("[data-clear-filters]")["href"] == f"/manage/events/{fair.event.id}/outcomes"
    # The supermarket's contract with e2 (Bắc Ninh, recorded as earlier "27").
    assert len(page.select("table tbody tr[data-meeting]")) == 1
    everything = html(client.get(f"/manage/events/{fair.event.id}/outcomes?lang=en"))
    assert everything.select_one("[data-active-filters]") is None
    assert len(everything.select("table tbody tr[data-meeting]")) == 4


def test_exhibitors_by_group_and_stars_lead_to_those_exhibitors(client, login, fair, organiser, html):
    login(organiser)
    board = html(client.get(f"/manage/events/{fair.event.id}/dashboard?lang=en&fresh=1"))
    rows = board.select('table[data-table="exhibitors_by_group"] tbody tr')
    assert len(rows) == 3
    for row in rows:
        link = row.select_one('td[data-column="exhibitors"] a')
        assert "group=" in link["href"] and "stars=" in link["href"]
        page = html(client.get(link["href"] + "&lang=en"))
        assert len(page.select("input[name=ids]")) == _number(text_of(link)), link["href"]
        assert page.select_one("[data-product-filters]") is not None
    # Food with 4 stars: e1 only (e2's food has 5).
    food_4 = html(
        client.get(f"/manage/events/{fair.event.id}/registrations?role=exhibitor&group=food&stars=4")
    )
    assert len(food_4.select("input[name=ids]")) == 1
    # Herbal products: e3, pending (the dashboard counts approved exhibitors only).
    herbal = html(client.get(f"/manage/events/{fair.event.id}/registrations?role=exhibitor&group=herbal"))
    assert len(herbal.select("input[name=ids]")) == 1


@pytest.mark.parametrize("dashboard_filters", ["", "&province=24"])
def test_booth_rows_lead_to_the_bookings_with_that_payment(
    client, login, fair, organiser, html, dashboard_filters
):
    login(organiser)
    board = html(client.get(f"/manage/events/{fair.event.id}/dashboard?lang=en&fresh=1{dashboard_filters}"))
    rows = board.select('table[data-table="booths"] tbody tr')
    assert len(rows) == 4
    for row, payment in zip(rows, ("paid", "due", "waived", None), strict=True):
        link = row.select_one('td[data-column="booths"] a')
        assert (f"payment={payment}" in link["href"]) if payment else ("payment=" not in link["href"])
        page = html(client.get(link["href"]))
        assert len(page.select("#bookings tbody tr[data-assignment]")) == _number(text_of(link)), link["href"]


def test_headline_figures_lead_to_their_lists(client, login, fair, organiser, html):
    login(organiser)
    board = html(client.get(f"/manage/events/{fair.event.id}/dashboard?lang=en&fresh=1"))
    links = {
        figure["data-figure"]: figure.select_one("[data-value] a")
        for figure in board.select(".key-figures [data-figure]")
    }
    # Every figure but the gate's, which has no list of its rows (the gate page counts per hour).
    assert [key for key, link in links.items() if link is None] == ["gate_people"]
    for key in ("approved_exhibitors", "approved_buyers"):
        page = html(client.get(links[key]["href"]))
        assert len(page.select("input[name=ids]")) == _number(text_of(links[key])), key
    for key in ("meetings", "held", "contracts"):
        assert _meetings_listed(client, html, links[key]["href"])[1] == _number(text_of(links[key])), key
    assert links["no_show_rate"]["href"].endswith("/outcomes?status=no_show")
    assert _meetings_listed(client, html, links["no_show_rate"]["href"])[1] == 1
    page = html(client.get(links["booths"]["href"]))
    assert len(page.select("#bookings tbody tr[data-assignment]")) == _number(text_of(links["booths"]))
    assert links["booth_revenue_paid"]["href"].endswith("payment=paid#bookings")
    # No organisers' list of e-booths exists: the visits lead to the event's e-booth catalogue.
    assert links["visits"]["href"] == f"/events/{fair.event.slug}/booths"
    funnel = [a["href"] for a in board.select('table[data-table="funnel"] tbody a')]
    outcomes = f"/manage/events/{fair.event.id}/outcomes"
    assert funnel[-3:] == [outcomes, outcomes + "?status=held", outcomes + "?contract=1"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("buyer_type=shop", "Unknown buyer type “shop”."),
        ("province=27", "Unknown province “27”"),
        ("group=toys", "Unknown OCOP group “toys”."),
        ("stars=6", "Stars are a whole number from 1 to 5."),
        ("status=cancelled", "Unknown meeting status “cancelled”."),
        ("contract=yes", "“contract” takes the value 1"),
    ],
)
def test_unknown_outcomes_filters_get_a_message_and_400(client, login, fair, organiser, html, query, message):
    login(organiser)
    response = client.get(f"/manage/events/{fair.event.id}/outcomes?lang=en&{query}")
    assert response.status_code == 400
    alert = html(response).select_one("[data-filter-error]")
    assert message in text_of(alert)
    assert alert.select_one("a")["href"] == f"/manage/events/{fair.event.id}/outcomes"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("registrations?group=toys", "Unknown OCOP group “toys”."),
        ("registrations?stars=0", "Stars are a whole number from 1 to 5."),
        ("registrations?role=buyer&buyer_type=shop", "Unknown buyer type “shop”."),
        ("booth-requests?payment=later", "Unknown payment “later”"),
        ("booth-requests?province=99", "Unknown province “99”"),
    ],
)
def test_unknown_list_filters_get_a_message_and_400(client, login, fair, organiser, html, url, message):
    login(organiser)
    response = client.get(f"/manage/events/{fair.event.id}/{url}&lang=en")
    assert response.status_code == 400
    assert message in text_of(html(response).select_one("[data-refused-filter]"))


def test_filtered_lists_are_refused_to_other_roles(client, login, fair, make_user):
    urls = [
        f"/manage/events/{fair.event.id}/outcomes?buyer_type=supermarket&contract=1",
        f"/manage/events/{fair.event.id}/registrations?role=exhibitor&group=food&stars=4",
        f"/manage/events/{fair.event.id}/booth-requests?payment=paid",
    ]
    for role in ("organiser", "exhibitor", "buyer"):
        login(make_user(role=role))
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
        client.post("/logout")


def test_the_filtered_outcomes_page_sends_as_many_statements_whatever_the_event_s_size(
    client, login, fair, organiser
):
    login(organiser)
    base = f"/manage/events/{fair.event.id}/outcomes?lang=en"
    filtered = base + "&buyer_type=hotel&province=22&group=food&stars=4&status=held&contract=1"
    small, small_filtered = queries_of(client, base), queries_of(client, filtered)
    grow(fair, 12)
    assert queries_of(client, base) == small
    assert queries_of(client, filtered) == small_filtered <= small  # no meeting kept: no page to load
    held = base + "&status=held"
    assert queries_of(client, held) == small, "a filtered page with meetings: as many statements"


def test_the_outcomes_page_shows_fifty_meetings_a_page_and_counts_them_all(
    client, login, db, fair, organiser, html
):
    """At a national fair (24,000 meetings) the page lists 50 meetings at a time, in time order;
    its totals still count every meeting the filters keep, and its statements stay the same."""
    from app.matching.engine.slots import session_slots
    from app.matching.models import MatchingSession, Meeting, MeetingOutcome

    login(organiser)
    base = f"/manage/events/{fair.event.id}/outcomes?lang=en"
    small = queries_of(client, base)
    grow(fair, 60)
    kept = list(
        db.session.scalars(
            select(Meeting)
            .join(MatchingSession, MatchingSession.id == Meeting.session_id)
            .where(
                MatchingSession.event_id == fair.event.id,
                Meeting.published.is_(True),
                Meeting.status != "cancelled",
            )
        )
    )
    every = {meeting.id for meeting in kept}
    assert len(every) > 50
    starts = {
        meeting.id: session_slots(meeting.session, fair.event.timezone)[meeting.slot].start_utc
        for meeting in kept
    }
    in_time_order = sorted(kept, key=lambda m: (starts[m.id], m.table, m.id))
    outcomes = list(db.session.scalars(select(MeetingOutcome).where(MeetingOutcome.meeting_id.in_(every))))
    contracts: dict[int, int] = {}  # a meeting's contract value: the larger side's
    for o in outcomes:
        if o.kind == "contract":
            contracts[o.meeting_id] = max(contracts.get(o.meeting_id, 0), o.value_vnd or 0)
    first = html(client.get(base))
    second = html(client.get(base + "&page=2"))
    ids = [
        [int(row["data-meeting"]) for row in page.select("table tbody tr[data-meeting]")]
        for page in (first, second)
    ]
    assert len(ids[0]) == 50 and len(ids[1]) == len(every) - 50
    assert ids[0] + ids[1] == [m.id for m in in_time_order], "in time order, then table, across pages"
    held = sum(1 for m in kept if m.status == "held")
    assert len({m.status for m in kept}) > 1 and 0 < held < len(kept) and len(contracts) > 50
    for page in (first, second):

        def total(key, page=page):
            return _number(text_of(page.select_one(f'[data-total="{key}"] .fs-5')))

        assert total("meetings") == len(every)
        assert total("held") == held
        assert total("contracts") == len(contracts)
        value = text_of(page.select_one('[data-total="contract_vnd"] .fs-5'))
        assert int(re.sub(r"\D", "", value)) == sum(contracts.values())
    assert "51–" in text_of(second.select_one("[data-page-range]"))
    assert second.select_one(".pagination .page-item.active").get_text(strip=True) == "2"
    past = html(client.get(base + "&page=999"))
    assert [int(row["data-meeting"]) for row in past.select("table tbody tr[data-meeting]")] == ids[1], (
        "a page past the end shows the last one"
    )
    assert queries_of(client, base + "&page=2") == queries_of(client, base) == small


def test_the_filtered_bookings_page_sends_as_many_statements_whatever_the_event_s_size(
    client, login, fair, organiser
):
    """Filtered by payment, the bookings table no longer loads every booth first: the requests'
    and bookings' booths come with them, not one statement each."""
    from app.booths.models import BoothAssignment, BoothPreference, BoothRequest

    def requested():  # each booking's holder asked for it first (a request with a preference)
        for booking in fair.db.session.scalars(select(BoothAssignment)):
            if fair.db.session.scalar(
                select(BoothRequest.id).where(BoothRequest.registration_id == booking.registration_id)
            ):
                continue
            request = BoothRequest(
                event_id=fair.event.id,
                registration_id=booking.registration_id,
                booth_type_id=fair.standard.id,
                status="allocated",
            )
            fair.db.session.add(request)
            fair.db.session.flush()
            fair.db.session.add(BoothPreference(request_id=request.id, rank=1, booth_id=booking.booth_id))
        fair.db.session.commit()

    login(organiser)
    base = f"/manage/events/{fair.event.id}/booth-requests?lang=en"
    paid = base + "&payment=paid"
    requested()
    small, small_paid = queries_of(client, base), queries_of(client, paid)
    grow(fair, 12)
    requested()
    assert (queries_of(client, base), queries_of(client, paid)) == (small, small_paid)


def test_deciding_from_a_group_filtered_list_comes_back_to_it(client, login, db, fair, organiser, html):
    login(organiser)
    url = f"/manage/events/{fair.event.id}/registrations?role=exhibitor&group=herbal&stars=3&lang=en"
    form = html(client.get(url)).select_one("form[action$='/registrations/decide']")
    kept = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert (kept["group"], kept["stars"]) == ("herbal", "3")
    pending = db.session.scalars(
        select(Registration).where(Registration.event_id == fair.event.id, Registration.status == "pending")
    ).one()
    response = client.post(
        f"/manage/events/{fair.event.id}/registrations/decide",
        data={"ids": [pending.id], "action": "approve", "role": "exhibitor", "group": "herbal", "stars": "3"},
    )
    assert response.status_code == 302
    assert "group=herbal" in response.headers["Location"] and "stars=3" in response.headers["Location"]
