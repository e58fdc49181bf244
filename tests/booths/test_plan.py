"""Floor plans: organisers lay out booth types and booths; nothing bad is saved; the plan is drawn."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.booths.models import (
    Booth,
    BoothAssignment,
    BoothPreference,
    BoothRequest,
    BoothType,
    ZoneRule,
)
from app.booths.plan import services as plan
from app.booths.plan import svg
from app.errors import PermissionDenied, ServiceError
from app.events import services as events
from app.events.models import Registration
from tests.conftest import text_of
from tests.pages import field_error, flashes


@pytest.fixture(autouse=True)
def english(app, db):
    """Rule messages are lazy strings shown in the requester's language; these tests read English."""
    with app.test_request_context("/?lang=en"):
        yield


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def floor(db, organiser, make_event):
    """An event of `organiser` with a 30 × 20 m hall and a standard 3 × 3 m booth type."""
    event = make_event(organiser=organiser)
    hall = events.save_hall(organiser, event, name="Nhà A", width_m=30, depth_m=20)
    standard = plan.save_booth_type(
        organiser,
        event,
        name="Gian tiêu chuẩn",
        name_en="Standard",
        width_m=3,
        depth_m=3,
        price_vnd=4_500_000,
    )
    db.session.commit()
    return event, hall, standard


def add(organiser, hall, booth_type, code, x, y, **kw):
    return plan.save_booth(organiser, hall, code=code, booth_type=booth_type, x_m=x, y_m=y, **kw)


def exhibitor_registration(db, event, organisation):
    registration = Registration(event=event, organisation=organisation, role="exhibitor", status="approved")
    db.session.add(registration)
    db.session.flush()
    return registration


def assign(db, event, booth, organisation, status="allocated"):
    registration = exhibitor_registration(db, event, organisation)
    assignment = BoothAssignment(
        event_id=event.id, booth_id=booth.id, registration_id=registration.id, status=status
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def request_booth(db, event, booth_type, organisation, booth):
    registration = exhibitor_registration(db, event, organisation)
    booth_request = BoothRequest(
        event_id=event.id, registration_id=registration.id, booth_type_id=booth_type.id
    )
    booth_request.preferences.append(BoothPreference(rank=1, booth_id=booth.id))
    db.session.add(booth_request)
    db.session.flush()
    return booth_request


# ---------------------------------------------------------------- booths


def test_a_booth_code_can_be_used_once_per_hall_but_again_in_another_hall(db, organiser, floor):
    event, hall, standard = floor
    add(organiser, hall, standard, "A-01", 0, 0)
    with pytest.raises(ServiceError, match="already has a booth A-01") as refused:
        add(organiser, hall, standard, " a-01 ", 6, 0)
    assert refused.value.field == "code"
    assert count(db, Booth) == 1
    other = events.save_hall(organiser, event, name="Nhà B", width_m=20, depth_m=20)
    add(organiser, other, standard, "A-01", 0, 0)
    assert count(db, Booth) == 2


@pytest.mark.parametrize(("width", "depth"), [(0, 3), (3, 0), (-2, 3), (3, Decimal("-0.5"))])
def test_a_booth_of_size_zero_or_less_is_refused(db, organiser, floor, width, depth):
    _event, hall, standard = floor
    with pytest.raises(ServiceError, match="above zero"):
        add(organiser, hall, standard, "A-01", 0, 0, width_m=width, depth_m=depth)
    assert count(db, Booth) == 0


@pytest.mark.parametrize(("width", "depth"), [(0, 3), (3, -1)])
def test_a_physical_booth_type_of_size_zero_or_less_is_refused(db, organiser, floor, width, depth):
    event, _hall, _standard = floor
    with pytest.raises(ServiceError, match="above zero"):
        plan.save_booth_type(organiser, event, name="Gian lỗi", width_m=width, depth_m=depth)
    assert count(db, BoothType) == 1


def test_an_electronic_booth_type_has_no_size_and_no_place_on_the_plan(db, organiser, floor):
    event, hall, _standard = floor
    online = plan.save_booth_type(organiser, event, name="Gian điện tử", is_electronic=True, width_m=3)
    assert online.width_m is None and online.depth_m is None
    with pytest.raises(ServiceError, match="no place on the plan"):
        add(organiser, hall, online, "E-01", 0, 0, width_m=3, depth_m=3)


def test_a_booth_takes_its_types_size_unless_given_one(db, organiser, floor):
    _event, hall, standard = floor
    booth = add(organiser, hall, standard, "A-01", 0, 0)
    assert (booth.width_m, booth.depth_m) == (Decimal("3.00"), Decimal("3.00"))
    wide = add(organiser, hall, standard, "A-02", 3, 0, width_m="4,5", depth_m=3)
    assert wide.width_m == Decimal("4.50")


def test_overlapping_booths_are_refused_but_touching_edges_are_fine(db, organiser, floor):
    _event, hall, standard = floor
    add(organiser, hall, standard, "A-01", 0, 0)
    add(organiser, hall, standard, "A-02", 3, 0)  # shares an edge
    add(organiser, hall, standard, "A-03", 3, 3)  # shares a corner
    with pytest.raises(ServiceError, match="A-04 would overlap booth A-01"):
        add(organiser, hall, standard, "A-04", "2.99", 2)
    assert count(db, Booth) == 3


@pytest.mark.parametrize(("x", "y"), [(28, 0), (0, "17.01"), (-1, 0), (40, 40)])
def test_a_booth_outside_the_hall_is_refused(db, organiser, floor, x, y):
    _event, hall, standard = floor
    with pytest.raises(ServiceError):
        add(organiser, hall, standard, "A-01", x, y)
    assert count(db, Booth) == 0


def test_a_booth_that_fits_exactly_in_the_corner_is_accepted(db, organiser, floor):
    _event, hall, standard = floor
    booth = add(organiser, hall, standard, "Z-01", 27, 17)
    assert (booth.x_m, booth.y_m) == (Decimal("27.00"), Decimal("17.00"))


def test_a_refused_move_or_resize_leaves_the_booth_where_it_was(db, organiser, floor):
    _event, hall, standard = floor
    first = add(organiser, hall, standard, "A-01", 0, 0)
    second = add(organiser, hall, standard, "A-02", 6, 0)
    db.session.commit()
    with pytest.raises(ServiceError, match="overlap booth A-01"):
        plan.move_booth(organiser, second, x_m=1, y_m=1)
    with pytest.raises(ServiceError, match="overlap booth A-02"):
        plan.resize_booth(organiser, first, width_m=7, depth_m=3)
    with pytest.raises(ServiceError, match="leave the hall"):
        plan.resize_booth(organiser, second, width_m=30, depth_m=3)
    db.session.rollback()
    assert (second.x_m, second.y_m, first.width_m) == (Decimal("6.00"), Decimal("0.00"), Decimal("3.00"))
    plan.move_booth(organiser, second, x_m=3, y_m=0)
    plan.resize_booth(organiser, first, width_m=3, depth_m=6)
    assert (second.x_m, first.depth_m) == (Decimal("3.00"), Decimal("6.00"))


def test_zone_tags_are_normalised_and_provinces_stored_by_code(db, organiser, floor):
    _event, hall, standard = floor
    booth = add(
        organiser, hall, standard, "P-01", 0, 0, zone_tags=" Food, PREMIUM ,,food, province:Lạng Sơn "
    )
    assert booth.zone_tags == "food,premium,province:20"
    assert booth.tags == ["food", "premium", "province:20"]
    assert plan.tag_label("province:20").endswith("Lạng Sơn")
    with pytest.raises(ServiceError, match="Unknown province"):
        add(organiser, hall, standard, "P-02", 3, 0, zone_tags="province:Atlantis")


def test_only_the_events_own_organisers_change_its_plan(db, organiser, floor, make_user, exhibitor):
    _event, hall, standard = floor
    for outsider in (make_user(role="organiser"), exhibitor, None):
        with pytest.raises(PermissionDenied):
            add(outsider, hall, standard, "A-01", 0, 0)
    assert count(db, Booth) == 0


# ---------------------------------------------------------------- booth types


def test_a_booth_type_in_use_by_a_booth_or_a_request_cannot_be_deleted(db, organiser, floor, make_producer):
    event, hall, standard = floor
    booth = add(organiser, hall, standard, "A-01", 0, 0)
    with pytest.raises(ServiceError, match="used by 1 booth"):
        plan.delete_booth_type(organiser, standard)
    double = plan.save_booth_type(organiser, event, name="Gian đôi", width_m=6, depth_m=3)
    request_booth(db, event, double, make_producer(), booth)
    with pytest.raises(ServiceError, match="1 booth request"):
        plan.delete_booth_type(organiser, double)
    spare = plan.save_booth_type(organiser, event, name="Gian góc", width_m=3, depth_m=3)
    plan.delete_booth_type(organiser, spare)
    assert {t.name for t in plan.booth_types(event)} == {"Gian tiêu chuẩn", "Gian đôi"}


def test_booth_type_names_are_unique_per_event(db, organiser, floor):
    event, _hall, _standard = floor
    with pytest.raises(ServiceError, match="already has a booth type"):
        plan.save_booth_type(organiser, event, name="gian tiêu chuẩn", width_m=3, depth_m=3)


# ---------------------------------------------------------------- block generator


def test_the_generator_lays_out_rows_and_columns_with_an_aisle_and_numbered_codes(db, organiser, floor):
    _event, hall, standard = floor
    booths = plan.generate_block(
        organiser, hall, rows=2, columns=3, booth_type=standard, origin_x=2, origin_y=1, aisle_m=3,
        start_code="A-08", zone_tags="Food",
    )  # fmt: skip
    got = [(b.code, b.x_m, b.y_m) for b in booths]
    d = Decimal
    assert got == [
        ("A-08", d(2), d(1)),
        ("A-09", d(5), d(1)),
        ("A-10", d(8), d(1)),
        ("A-11", d(2), d(7)),  # 1 + 3 deep + 3 aisle
        ("A-12", d(2 + 3), d(7)),
        ("A-13", d(8), d(7)),
    ]
    assert all(b.zone_tags == "food" and b.width_m == 3 and b.depth_m == 3 for b in booths)
    assert count(db, Booth) == 6


def test_double_sided_rows_stand_back_to_back_with_an_aisle_after_each_pair(db, organiser, floor):
    _event, hall, standard = floor
    booths = plan.generate_block(
        organiser, hall, rows=4, columns=1, booth_type=standard, origin_x=0, origin_y=0, aisle_m=2,
        start_code="B1", double_sided=True,
    )  # fmt: skip
    assert [(b.code, b.y_m) for b in booths] == [
        ("B1", 0),
        ("B2", 3),
        ("B3", 8),
        ("B4", 11),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": 10}, "B-10 would leave the hall"),  # 10 × 3 m from x = 1 ends at 31 m
        ({"rows": 4, "columns": 2, "aisle_m": 2}, "B-07 would leave the hall"),  # 4th row: y 18 to 21
        ({"start_code": "A-01"}, "already has a booth A-01"),
        ({"origin_x": 0, "origin_y": 0}, "B-01 would overlap booth A-01"),
        ({"start_code": "Gian"}, "must end with a number"),
        ({"rows": 0}, "At least one row"),
        ({"booth_type": None}, "Choose a booth type"),
    ],
)
def test_the_generator_creates_nothing_when_one_booth_does_not_fit(db, organiser, floor, kwargs, message):
    _event, hall, standard = floor
    add(organiser, hall, standard, "A-01", 0, 0)
    db.session.commit()
    values = {
        "rows": 2, "columns": 3, "booth_type": standard, "origin_x": 1, "origin_y": 3, "aisle_m": 3,
        "start_code": "B-01",
    } | kwargs  # fmt: skip
    with pytest.raises(ServiceError) as refused:
        plan.generate_block(organiser, hall, **values)
    assert message in str(refused.value)
    db.session.rollback()
    assert [b.code for b in plan.booths_of(hall.event)] == ["A-01"]


def test_code_sequences_keep_the_prefix_and_the_zero_padding(db):
    assert plan.code_sequence("A-98", 3) == ["A-98", "A-99", "A-100"]
    assert plan.code_sequence("HN 007", 2) == ["HN 007", "HN 008"]


# ---------------------------------------------------------------- holders, blocking, deleting, statuses


def test_statuses_free_requested_allocated_confirmed_blocked(db, organiser, floor, make_producer):
    event, hall, standard = floor
    free, asked, given, paid, closed = plan.generate_block(
        organiser, hall, rows=1, columns=5, booth_type=standard, start_code="A-01"
    )
    request_booth(db, event, standard, make_producer(), asked)
    assign(db, event, given, make_producer(name="HTX Mật ong Bắc Kạn"))
    assign(db, event, paid, make_producer(), status="confirmed")
    plan.block_booth(organiser, closed)
    statuses = plan.plan_statuses(event)
    assert [statuses[b.id] for b in (free, asked, given, paid, closed)] == [
        "free",
        "requested",
        "allocated",
        "confirmed",
        "blocked",
    ]
    assert [plan.booth_status(b) for b in (free, asked, given, paid, closed)] == list(statuses.values())
    states = plan.booth_states(event, hall)
    assert states[given.id].organisation.name == "HTX Mật ong Bắc Kạn"
    assert [b.code for b in plan.free_booths(event)] == ["A-01", "A-02"]
    plan.unblock_booth(organiser, closed)
    assert plan.booth_status(closed) == "free"


def test_a_held_booth_cannot_be_deleted_or_blocked_and_the_message_names_the_holder(
    db, organiser, floor, make_producer
):
    event, hall, standard = floor
    booth = add(organiser, hall, standard, "A-01", 0, 0)
    assign(db, event, booth, make_producer(name="HTX Chè Tân Cương"))
    db.session.commit()
    with pytest.raises(ServiceError, match="held by HTX Chè Tân Cương"):
        plan.delete_booth(organiser, booth)
    with pytest.raises(ServiceError, match="held by HTX Chè Tân Cương"):
        plan.block_booth(organiser, booth)
    db.session.rollback()
    assert count(db, Booth) == 1 and not booth.blocked


def test_deleting_a_free_booth_drops_the_preferences_naming_it(db, organiser, floor, make_producer):
    event, hall, standard = floor
    booth = add(organiser, hall, standard, "A-01", 0, 0)
    booth_request = request_booth(db, event, standard, make_producer(), booth)
    db.session.commit()
    plan.delete_booth(organiser, booth)
    db.session.commit()
    assert count(db, Booth) == 0
    assert count(db, BoothPreference) == 0
    assert db.session.get(BoothRequest, booth_request.id) is not None


# ---------------------------------------------------------------- zone rules and settings


def test_zone_rules_take_province_names_and_default_to_the_pavilion(db, organiser, floor):
    event, _hall, _standard = floor
    rule = plan.save_zone_rule(organiser, event, match_kind="province", value="Lạng Sơn")
    assert (rule.match_value, rule.zone) == ("20", "province:20")
    food = plan.save_zone_rule(organiser, event, match_kind="group", value="food", zone=" Food Hall ")
    assert food.zone == "food hall"
    with pytest.raises(ServiceError, match="exists already"):
        plan.save_zone_rule(organiser, event, match_kind="group", value="food", zone="food hall")
    with pytest.raises(ServiceError, match="Unknown OCOP group"):
        plan.save_zone_rule(organiser, event, match_kind="group", value="fish", zone="x")
    plan.delete_zone_rule(organiser, food)
    assert [r.zone for r in plan.zone_rules(event)] == ["province:20"]


def test_first_come_booking_is_off_until_the_organiser_turns_it_on(db, organiser, floor):
    event, _hall, _standard = floor
    assert plan.plan_settings(event).first_come_booking is False
    plan.save_plan_settings(organiser, event, first_come_booking=True)
    db.session.commit()
    assert plan.plan_settings(event).first_come_booking is True


# ---------------------------------------------------------------- the drawing


def test_the_svg_draws_every_booth_with_its_code_and_status_colour(db, organiser, floor, make_producer):
    event, hall, standard = floor
    free, given, closed = plan.generate_block(
        organiser, hall, rows=1, columns=3, booth_type=standard, start_code="C-1"
    )
    assign(db, event, given, make_producer(name="HTX <Gốm> & Sứ"), status="confirmed")
    plan.block_booth(organiser, closed)
    states = plan.booth_states(event, hall)
    markup = svg.hall_plan_svg(
        hall_name=hall.name,
        width=30,
        depth=20,
        booths=svg.plan_booths(plan.booths_of(event, hall), states),
        status_labels={k: str(v) for k, v in plan.STATUS_LABELS.items()},
        highlight_id=given.id,
    )
    assert markup.startswith("<svg")
    drawing = BeautifulSoup(markup, "html.parser").find("svg")
    assert drawing.get("viewbox")  # the parser lowers attribute names
    for booth, status in ((free, "free"), (given, "confirmed"), (closed, "blocked")):
        group = drawing.select_one(f"g#booth-{booth.id}")
        assert group["class"][:2] == ["booth", f"status-{status}"], status
        assert booth.code in [text_of(text) for text in group.find_all("text")]
        assert group.find("rect", attrs={"fill": svg.STATUS_COLOURS[status]}) is not None, status
    holder = drawing.select_one(f"g#booth-{given.id}")
    assert text_of(holder.find("title")) == f"{given.code} · HTX <Gốm> & Sứ · Confirmed"  # the tooltip
    lines = [text_of(line) for line in holder.select("text.booth-name")]
    assert " ".join(lines).startswith("HTX <Gốm>")  # on the booth, wrapped and cut to fit
    assert "<Gốm>" not in markup  # escaped, not markup
    ring = drawing.select_one("rect.highlight-ring")
    assert ring is not None and ring.find_parent("g", class_="booth") is None
    legend = {item["data-status"] for item in drawing.select("[data-status]:not(g.booth)")}
    assert legend == set(plan.STATUS_LABELS)  # the legend


def test_the_public_drawing_hides_requests_and_payment(db, organiser, floor, make_producer):
    event, hall, standard = floor
    asked, paid = plan.generate_block(
        organiser, hall, rows=1, columns=2, booth_type=standard, start_code="D-1"
    )
    request_booth(db, event, standard, make_producer(), asked)
    assign(db, event, paid, make_producer(), status="confirmed")
    drawn = svg.plan_booths(plan.booths_of(event, hall), plan.booth_states(event, hall), public=True)
    assert [b.status for b in drawn] == ["free", "allocated"]
    markup = str(svg.hall_svg(hall, highlight=paid.id))
    drawing = BeautifulSoup(markup, "html.parser")
    booths = {group["data-code"]: group["data-status"] for group in drawing.select("g.booth")}
    assert booths == {"D-1": "free", "D-2": "allocated"}
    assert "status-confirmed" not in markup and "status-requested" not in markup  # not even in the legend


# ---------------------------------------------------------------- pages


def change_routes(event, hall, booth, booth_type, rule):
    base = f"/manage/events/{event.id}"
    return [
        ("get", f"{base}/booths"),
        ("get", f"{base}/booth-types"),
        ("post", f"{base}/booth-types"),
        ("post", f"{base}/booth-types/{booth_type.id}"),
        ("post", f"{base}/booth-types/{booth_type.id}/delete"),
        ("get", f"{base}/booths/new"),
        ("post", f"{base}/booths/new"),
        ("post", f"{base}/booths/{booth.id}"),
        ("post", f"{base}/booths/{booth.id}/move"),
        ("post", f"{base}/booths/{booth.id}/resize"),
        ("post", f"{base}/booths/{booth.id}/block"),
        ("post", f"{base}/booths/{booth.id}/unblock"),
        ("post", f"{base}/booths/{booth.id}/delete"),
        ("post", f"{base}/booths/generate"),
        ("post", f"{base}/booth-zones"),
        ("post", f"{base}/booth-zones/{rule.id}/delete"),
    ]


@pytest.fixture()
def laid_out(db, organiser, floor):
    event, hall, standard = floor
    booth = add(organiser, hall, standard, "A-01", 0, 0)
    rule = plan.save_zone_rule(organiser, event, match_kind="group", value="food")
    db.session.commit()
    return event, hall, booth, standard, rule


@pytest.mark.parametrize("who", ["other_organiser", "exhibitor", "buyer"])
def test_only_the_events_organisers_open_or_change_the_plan(
    client, login, db, laid_out, make_user, exhibitor, buyer_user, who
):
    user = {"other_organiser": make_user(role="organiser"), "exhibitor": exhibitor, "buyer": buyer_user}[who]
    db.session.commit()
    login(user)
    event, hall, booth, booth_type, rule = laid_out
    for method, url in change_routes(event, hall, booth, booth_type, rule):
        response = getattr(client, method)(url, data={"code": "X-1", "x_m": "9", "y_m": "9"})
        assert response.status_code == 403, (method, url)
    assert count(db, Booth) == 1 and count(db, ZoneRule) == 1 and count(db, BoothType) == 1


def test_anonymous_visitors_are_sent_to_log_in(client, laid_out):
    event, hall, booth, booth_type, rule = laid_out
    for method, url in change_routes(event, hall, booth, booth_type, rule):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)


def test_the_organiser_sees_the_plan_with_holders_and_can_filter_by_status(
    client, login, db, organiser, laid_out, make_producer, html
):
    event, hall, booth, standard, _rule = laid_out
    plan.save_booth(organiser, hall, code="A-02", booth_type=standard, x_m=3, y_m=0)
    assign(db, event, booth, make_producer(name="HTX Nấm Hương Lâm Đồng"))
    db.session.commit()
    login(organiser)

    def rows(page):  # code -> (status, exhibitor)
        return {
            text_of(row.find("td")): (row.select_one("[data-status]")["data-status"], text_of(row("td")[6]))
            for row in page.select("table.plan-table tbody tr")
        }

    page = html(client.get(f"/manage/events/{event.id}/booths?lang=en"))
    drawn = page.select(".plan-wrap svg g.booth")
    assert sorted(group["data-code"] for group in drawn) == ["A-01", "A-02"]
    assert rows(page) == {"A-01": ("allocated", "HTX Nấm Hương Lâm Đồng"), "A-02": ("free", "")}
    only_free = html(client.get(f"/manage/events/{event.id}/booths?lang=en&status=free"))
    assert rows(only_free) == {"A-02": ("free", "")}
    show = html(client.get(f"/manage/events/{event.id}?lang=en"))
    assert show.find("a", string="Floor plan")["href"] == f"/manage/events/{event.id}/booths"


def test_the_organiser_generates_a_block_through_the_form(client, login, db, organiser, floor, html):
    event, hall, standard = floor
    login(organiser)
    form = {
        "hall_id": hall.id, "booth_type_id": standard.id, "rows": 2, "columns": 4, "origin_x": "1",
        "origin_y": "1", "aisle_m": "3", "start_code": "A-01", "zone_tags": "food",
    }  # fmt: skip
    response = client.post(f"/manage/events/{event.id}/booths/generate?lang=en", data=form)
    assert response.status_code == 302
    assert count(db, Booth) == 8
    refused = client.post(
        f"/manage/events/{event.id}/booths/generate?lang=en", data=form | {"start_code": "B-01"}
    )
    assert refused.status_code == 200
    form = html(refused).select_one("main form[method=post]")
    error = form.find_previous_sibling(class_="alert-danger")  # above the form, which has no place fields
    assert text_of(error) == "Booth B-01 would overlap booth A-01."
    assert count(db, Booth) == 8


def test_the_booth_form_shows_a_refusal_next_to_the_field_and_saves_nothing(
    client, login, db, organiser, laid_out, html
):
    event, hall, _booth, standard, _rule = laid_out
    login(organiser)
    data = {"hall_id": hall.id, "code": "A-01", "booth_type_id": standard.id, "x_m": "10", "y_m": "10"}
    response = client.post(f"/manage/events/{event.id}/booths/new?lang=en", data=data)
    assert response.status_code == 200
    assert field_error(html(response), "code") == f"Hall {hall.name} already has a booth A-01."
    ok = client.post(f"/manage/events/{event.id}/booths/new?lang=en", data=data | {"code": "A-02"})
    assert ok.status_code == 302 and count(db, Booth) == 2


def test_delete_and_block_ask_first(client, login, db, organiser, laid_out, html):
    event, _hall, booth, _standard, _rule = laid_out
    login(organiser)
    for action in ("block", "delete"):
        page = client.get(f"/manage/events/{event.id}/booths/{booth.id}/{action}?lang=en")
        assert page.status_code == 200
        form = html(page).select_one("main form[method=post]")  # posts back to this address
        assert form.get("action", "") == "" and form.select_one("input[name=csrf_token]")["value"]
        assert text_of(form.find("button", type="submit")) == action.capitalize()
    assert count(db, Booth) == 1 and not booth.blocked
    client.post(f"/manage/events/{event.id}/booths/{booth.id}/block")
    db.session.expire_all()
    assert db.session.get(Booth, booth.id).blocked
    client.post(f"/manage/events/{event.id}/booths/{booth.id}/delete")
    assert count(db, Booth) == 0


def test_a_type_in_use_cannot_be_deleted_from_its_page(client, login, db, organiser, laid_out, html):
    event, _hall, _booth, standard, _rule = laid_out
    login(organiser)
    response = client.post(f"/manage/events/{event.id}/booth-types/{standard.id}/delete?lang=en")
    assert response.status_code == 302
    assert count(db, BoothType) == 1
    shown = flashes(html(client.get(response.headers["Location"])))
    assert f"“{standard.name}” is used by 1 booth(s) and 0 booth request(s); it can't be deleted." in shown


def test_the_public_plan_shows_exhibitors_and_nothing_private(
    client, db, organiser, laid_out, make_producer, html
):
    event, _hall, booth, _standard, _rule = laid_out
    producer = make_producer(name="HTX Miến dong Bình Liêu", phone="0912345678", email="mien@binhlieu.vn")
    assign(db, event, booth, producer, status="confirmed")
    events.open_registration(organiser, event)
    db.session.commit()
    response = client.get(f"/events/{event.slug}/plan?lang=en")
    assert response.status_code == 200
    page = html(response)
    section = page.select_one("section.plan-section")
    assert [text_of(item) for item in section.select(".plan-directory li")] == [
        "A-01 HTX Miến dong Bình Liêu · Quảng Ninh"
    ]
    booth_drawn = section.select_one(".plan-wrap svg g.booth")
    assert booth_drawn["data-code"] == "A-01" and booth_drawn["data-status"] == "allocated"
    everything = str(page)  # not in the text, not in an attribute
    for private in (
        "0912345678",
        "mien@binhlieu.vn",
        "4.500.000",
        "4,500,000",
        "Confirmed",
        "status-confirmed",
    ):
        assert private not in everything


def test_the_public_plan_of_a_draft_is_not_found(client, db, laid_out):
    event, *_ = laid_out
    assert event.state == "draft"
    assert client.get(f"/events/{event.slug}/plan").status_code == 404
    assert client.get("/events/no-such-fair/plan").status_code == 404


# ---------------------------------------------------------------- names in the reader's language


def _type_cells(page):
    return [row("td")[1] for row in page.select("table.plan-table tbody tr")]


def test_the_organisers_plan_shows_booth_types_and_halls_in_the_readers_language(
    client, login, db, organiser, laid_out, html
):
    event, hall, _booth, _standard, _rule = laid_out
    hall.name_en = "Hall A"
    events.save_hall(organiser, event, name="Nhà B", width_m=10, depth_m=10)  # the plan lists its halls
    db.session.commit()
    login(organiser)
    english = html(client.get(f"/manage/events/{event.id}/booths?lang=en"))
    assert [text_of(cell) for cell in _type_cells(english)] == ["Standard"]
    assert _type_cells(english)[0].select("[lang]") == []
    assert text_of(english.select_one(".nav-link.active")) == "Hall A"
    french = html(client.get(f"/manage/events/{event.id}/booths?lang=fr"))
    assert [cell.select_one("span[lang=en]").get_text() for cell in _type_cells(french)] == ["Standard"]
    vietnamese = html(client.get(f"/manage/events/{event.id}/booths?lang=vi"))
    assert [text_of(cell) for cell in _type_cells(vietnamese)] == ["Gian tiêu chuẩn"]
    assert text_of(vietnamese.select_one(".nav-link.active")) == "Nhà A"


def test_a_booth_type_named_only_in_vietnamese_is_marked_vi_on_the_english_plan(
    client, login, db, organiser, laid_out, html
):
    event, _hall, _booth, standard, _rule = laid_out
    standard.name_en = None
    events.save_hall(organiser, event, name="Nhà B", width_m=10, depth_m=10)
    db.session.commit()
    login(organiser)
    english = html(client.get(f"/manage/events/{event.id}/booths?lang=en"))
    assert [cell.select_one("span[lang=vi]").get_text() for cell in _type_cells(english)] == [
        "Gian tiêu chuẩn"
    ]
    assert text_of(english.select_one(".nav-link.active span[lang=vi]")) == "Nhà A"


def test_the_hall_plan_drawing_is_titled_in_the_readers_language(db, organiser, floor):
    _event, hall, _standard = floor
    hall.name_en = "Hall A"
    assert "Hall A" in str(svg.hall_svg(hall)) and "Nhà A" not in str(svg.hall_svg(hall))


def test_the_plans_list_of_booths_is_named_after_the_hall_in_the_readers_language(db, organiser, floor):
    _event, hall, _standard = floor
    hall.name_en = "Hall A"
    page = BeautifulSoup(str(svg.hall_svg(hall)), "html.parser")
    assert page.select_one("g.booths")["aria-label"] == "Booths of Hall A"


def test_refusals_name_the_hall_in_the_readers_language(db, organiser, floor):
    _event, hall, standard = floor
    hall.name_en = "Hall A"
    add(organiser, hall, standard, "A-01", 0, 0)
    with pytest.raises(ServiceError) as clash:
        add(organiser, hall, standard, "A-01", 6, 0)
    assert str(clash.value.message) == "Hall Hall A already has a booth A-01."
    with pytest.raises(ServiceError) as outside:
        add(organiser, hall, standard, "A-02", 29, 0)
    assert "(Hall A is 30 × 20 m)" in str(outside.value.message)
    with pytest.raises(ServiceError) as generated:
        plan.generate_block(
            organiser, hall, rows=1, columns=1, booth_type=standard, origin_x=10, origin_y=10, aisle_m=2,
            start_code="A-01",
        )  # fmt: skip
    assert str(generated.value.message) == "Hall Hall A already has a booth A-01."


def test_the_booth_forms_menus_name_halls_and_types_in_the_readers_language(
    client, login, db, organiser, laid_out, html
):
    event, hall, _booth, _standard, _rule = laid_out
    hall.name_en = "Hall A"
    db.session.commit()
    login(organiser)
    english = html(client.get(f"/manage/events/{event.id}/booths/new?lang=en"))
    assert text_of(english.select_one("select#hall_id option")).startswith("Hall A (")
    assert text_of(english.select_one("select#booth_type_id option")).startswith("Standard ·")
    vietnamese = html(client.get(f"/manage/events/{event.id}/booths/new?lang=vi"))
    assert text_of(vietnamese.select_one("select#hall_id option")).startswith("Nhà A (")
    assert text_of(vietnamese.select_one("select#booth_type_id option")).startswith("Gian tiêu chuẩn ·")
