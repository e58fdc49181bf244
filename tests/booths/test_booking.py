"""Booking services and pages: requests, first-come picks, allocation, hand moves, payments, permissions."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.booths.booking import services as booking
from app.booths.models import BoothAssignment, BoothRequest
from app.errors import PermissionDenied, ServiceError
from app.events.models import EventOrganiser
from app.events.registrations import services as reg
from app.notifications.models import OutboxMessage
from tests.conftest import NOW, text_of
from tests.pages import check_invalid_fields, flashes


def active_count(db, **where):
    query = select(func.count()).select_from(BoothAssignment).where(BoothAssignment.status != "cancelled")
    for key, value in where.items():
        query = query.where(getattr(BoothAssignment, key) == value)
    return db.session.scalar(query)


# ---------------------------------------------------------------- requesting


def test_an_approved_exhibitor_requests_a_type_with_ranked_preferences(db, fair):
    a1, a2, _a3 = fair.add_booths(3, tags="premium")
    user, registration = fair.exhibitor()
    _, other = fair.exhibitor()
    request = booking.request_booth(
        user,
        registration,
        fair.standard,
        preferences=[f"booth:{a2.id}", "zone:premium", a1.id],
        near=[other.organisation_id],
        note="Gần lối vào",
    )
    assert [(p.rank, p.booth_id, p.zone) for p in request.preferences] == [
        (1, a2.id, None),
        (2, None, "premium"),
        (3, a1.id, None),
    ]
    assert [(p.organisation_id, p.kind) for p in request.proximities] == [(other.organisation_id, "near")]
    assert request.status == "pending"


def test_editing_a_request_replaces_it_and_keeps_one_open_request(db, fair):
    a1, a2 = fair.add_booths(2)
    user, registration = fair.exhibitor()
    first = booking.request_booth(user, registration, fair.standard, preferences=[a1.id, a2.id])
    created = first.created_at
    second = booking.request_booth(user, registration, fair.standard, preferences=[a2.id])
    db.session.commit()
    assert second.id == first.id and second.created_at == created
    assert [p.booth_id for p in second.preferences] == [a2.id]
    assert db.session.scalar(select(func.count()).select_from(BoothRequest)) == 1


def test_a_preference_for_a_booth_of_another_event_is_refused_and_nothing_is_saved(db, fair, make_booth_fair):
    other_fair = make_booth_fair(fair.organiser)
    (elsewhere,) = other_fair.add_booths(1)
    fair.add_booths(1)
    user, registration = fair.exhibitor()
    with pytest.raises(ServiceError) as refused:
        booking.request_booth(user, registration, fair.standard, preferences=[elsewhere.id])
    assert "belongs to another event" in str(refused.value.message)
    assert refused.value.field == "preferences"
    assert db.session.scalar(select(func.count()).select_from(BoothRequest)) == 0


@pytest.mark.parametrize(
    "bad, message",
    [
        ("double", "is not a “Standard 3×3” booth"),
        ("zone:nowhere", "No booth of this event is in zone"),
        ("four", "at most three"),
        ("twice", "only once"),
    ],
)
def test_bad_preferences_are_refused_with_a_message(db, fair, bad, message):
    standard = fair.add_booths(3)
    (double,) = fair.add_booths(1, fair.double)
    user, registration = fair.exhibitor()
    preferences = {
        "double": [double.id],
        "zone:nowhere": ["zone:nowhere"],
        "four": [b.id for b in standard] + [double.id],
        "twice": [standard[0].id, standard[0].id],
    }[bad]
    with pytest.raises(ServiceError) as refused:
        booking.request_booth(user, registration, fair.standard, preferences=preferences)
    assert message in str(refused.value.message)


def test_only_the_registrant_may_request_for_its_registration(db, fair, buyer_user, make_user):
    fair.add_booths(1)
    _, registration = fair.exhibitor()
    other_exhibitor, _ = fair.exhibitor()
    colleague_without_org = make_user(role="exhibitor")
    for intruder in (other_exhibitor, buyer_user, fair.organiser, colleague_without_org):
        with pytest.raises(PermissionDenied):
            booking.request_booth(intruder, registration, fair.standard)


def test_a_registration_not_yet_approved_can_not_request(db, fair, make_producer, make_user, make_product):
    organisation = make_producer()
    user = make_user(role="exhibitor", organisation=organisation)
    product = make_product(organisation)
    registration = reg.apply_as_exhibitor(user, fair.event, [product.id], now=NOW)
    with pytest.raises(ServiceError, match="approved"):
        booking.request_booth(user, registration, fair.standard)


def test_near_and_away_must_name_approved_exhibitors_of_the_event(db, fair, make_producer):
    fair.add_booths(1)
    user, registration = fair.exhibitor()
    stranger = make_producer()
    with pytest.raises(ServiceError, match="approved exhibitors"):
        booking.request_booth(user, registration, fair.standard, near=[stranger.id])
    _, other = fair.exhibitor()
    with pytest.raises(ServiceError, match="both near and away"):
        booking.request_booth(
            user, registration, fair.standard, near=[other.organisation_id], away=[other.organisation_id]
        )


# ---------------------------------------------------------------- first-come picking


def test_first_come_picking_is_refused_unless_the_organiser_allows_it(db, fair):
    (booth,) = fair.add_booths(1)
    user, registration = fair.exhibitor()
    with pytest.raises(ServiceError, match="first-come"):
        booking.pick_booth(user, registration, booth)
    fair.first_come()
    assignment = booking.pick_booth(user, registration, booth)
    assert (assignment.status, assignment.payment) == ("allocated", "due")


def test_a_booth_can_not_be_booked_twice(db, fair):
    (booth,) = fair.add_booths(1)
    fair.first_come()
    first_user, first = fair.exhibitor()
    second_user, second = fair.exhibitor()
    booking.pick_booth(first_user, first, booth)
    db.session.commit()
    with pytest.raises(ServiceError, match="just taken"):
        booking.pick_booth(second_user, second, booth)
    assert active_count(db, booth_id=booth.id) == 1


def test_the_database_itself_refuses_a_second_active_assignment_of_a_booth(db, fair):
    (booth,) = fair.add_booths(1)
    _, first = fair.exhibitor()
    _, second = fair.exhibitor()
    for registration in (first, second):
        db.session.add(
            BoothAssignment(event_id=fair.event.id, booth_id=booth.id, registration_id=registration.id)
        )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_an_exhibitor_picks_only_one_booth_and_only_in_its_zone(db, fair):
    food_booth, drinks_booth, other = fair.add_booths(1, tags="food") + fair.add_booths(2, tags="drinks")
    fair.zone_rule("group", "beverages", "drinks")
    fair.first_come()
    user, registration = fair.exhibitor(group="beverages")
    with pytest.raises(ServiceError, match="not in zone"):
        booking.pick_booth(user, registration, food_booth)
    booking.pick_booth(user, registration, drinks_booth)
    with pytest.raises(ServiceError, match="already have booth"):
        booking.pick_booth(user, registration, other)


def test_a_blocked_booth_can_not_be_picked(db, fair):
    (booth,) = fair.add_booths(1, blocked=True)
    fair.first_come()
    user, registration = fair.exhibitor()
    with pytest.raises(ServiceError, match="blocked"):
        booking.pick_booth(user, registration, booth)


# ---------------------------------------------------------------- allocation


def test_allocation_gives_preferences_saves_who_fits_and_says_why_for_the_rest(db, fair):
    a1, a2 = fair.add_booths(2)
    early_user, early = fair.exhibitor(stars=4)
    star_user, star = fair.exhibitor(stars=5)
    late_user, late = fair.exhibitor(stars=3)
    booking.request_booth(early_user, early, fair.standard, preferences=[a1.id, a2.id])
    booking.request_booth(star_user, star, fair.standard, preferences=[a1.id])
    booking.request_booth(late_user, late, fair.standard, preferences=[a2.id])
    db.session.commit()

    report = booking.allocate_all(fair.organiser, fair.event)
    db.session.commit()

    assert len(report.placed) == 2 and len(report.unplaced) == 1
    requests = {r.registration_id: r for r in db.session.scalars(select(BoothRequest))}
    # 5 stars beat 4 on booth 1 (a tie: both ranked it first). Booth 2 is the late one's first choice
    # but only the early one's second: two first choices (100 + 100) beat a first and a second (100 + 60).
    assert (requests[star.id].status, requests[star.id].got_preference) == ("allocated", 1)
    assert (requests[late.id].status, requests[late.id].got_preference) == ("allocated", 1)
    assert requests[early.id].status == "unplaced"
    reason = str(booking.reason_text(requests[early.id].unplaced_reason))
    assert (
        "No free booth of type “Standard 3×3”" in reason and "went to exhibitors ranked before you" in reason
    )
    assert active_count(db) == 2
    payments = set(db.session.scalars(select(BoothAssignment.payment)))
    assert payments == {"due"}
    kinds = sorted(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind.like("booth_%"))))
    assert kinds == ["booth_allocated", "booth_allocated", "booth_unplaced"]


def test_free_booth_types_are_waived_and_zone_rules_hold_in_allocation(db, fair):
    free_type = fair.add_type("Gian miễn phí", 0)
    pavilion = fair.add_booths(1, free_type, tags="province:20")
    plain = fair.add_booths(1, free_type)
    fair.zone_rule("province", "20", "province:20")
    lang_son_user, lang_son = fair.exhibitor(province="20", stars=3)
    other_user, other = fair.exhibitor(province="22", stars=5)
    booking.request_booth(lang_son_user, lang_son, free_type)
    booking.request_booth(other_user, other, free_type, preferences=[pavilion[0].id])
    booking.allocate_all(fair.organiser, fair.event)
    by_registration = {a.registration_id: a for a in db.session.scalars(select(BoothAssignment))}
    assert by_registration[lang_son.id].booth_id == pavilion[0].id
    assert by_registration[other.id].booth_id == plain[0].id
    assert {a.payment for a in by_registration.values()} == {"waived"}


def test_an_impossible_zone_is_reported_and_the_others_are_still_placed(db, fair):
    fair.add_booths(2, tags="drinks")
    fair.zone_rule("group", "food", "food")
    food_user, food = fair.exhibitor(group="food", category="honey")
    tea_user, tea = fair.exhibitor()
    booking.request_booth(food_user, food, fair.standard)
    booking.request_booth(tea_user, tea, fair.standard)
    report = booking.allocate_all(fair.organiser, fair.event)
    db.session.commit()
    assert [r.registration_id for r, _, _ in report.placed] == [tea.id]
    (unplaced, why) = report.unplaced[0]
    assert unplaced.registration_id == food.id
    assert "is in zone “food”" in str(why)


def test_only_the_event_organisers_allocate(db, fair, make_user):
    fair.add_booths(1)
    exhibitor_user, _ = fair.exhibitor()
    other_organiser = make_user(role="organiser")
    for intruder in (exhibitor_user, other_organiser):
        with pytest.raises(PermissionDenied):
            booking.allocate_all(intruder, fair.event)


def test_booked_booths_stay_where_they_are_in_a_new_allocation(db, fair):
    a1, a2 = fair.add_booths(2)
    fair.first_come()
    holder_user, holder = fair.exhibitor()
    booking.pick_booth(holder_user, holder, a1)
    user, registration = fair.exhibitor(stars=5)
    booking.request_booth(user, registration, fair.standard, preferences=[a1.id])
    booking.allocate_all(fair.organiser, fair.event)
    assignments = {a.registration_id: a.booth_id for a in db.session.scalars(select(BoothAssignment))}
    assert assignments == {holder.id: a1.id, registration.id: a2.id}


# ---------------------------------------------------------------- hand edits and payment


def allocated(db, fair, n=2, **exhibitor):
    booths = fair.add_booths(n)
    fair.first_come()
    result = []
    for booth in booths:
        user, registration = fair.exhibitor(**exhibitor)
        result.append(booking.pick_booth(user, registration, booth))
    return result


def test_a_move_that_breaks_a_zone_rule_is_refused_with_the_reason(db, fair):
    fair.zone_rule("group", "beverages", "drinks")
    drinks = fair.add_booths(2, tags="drinks")
    (food,) = fair.add_booths(1, tags="food")
    fair.first_come()
    user, registration = fair.exhibitor(group="beverages")
    assignment = booking.pick_booth(user, registration, drinks[0])
    with pytest.raises(ServiceError) as refused:
        booking.move_assignment(fair.organiser, assignment, food)
    assert "not in zone “drinks”" in str(refused.value.message)
    booking.move_assignment(fair.organiser, assignment, drinks[1])
    assert assignment.booth_id == drinks[1].id


def test_a_move_to_a_taken_blocked_or_other_type_booth_is_refused(db, fair):
    first, second = allocated(db, fair)
    (blocked,) = fair.add_booths(1, blocked=True)
    (double,) = fair.add_booths(1, fair.double)
    with pytest.raises(ServiceError, match="already taken"):
        booking.move_assignment(fair.organiser, first, second.booth)
    with pytest.raises(ServiceError, match="blocked"):
        booking.move_assignment(fair.organiser, first, blocked)
    with pytest.raises(ServiceError, match="asked for"):
        booking.move_assignment(fair.organiser, first, double)


def test_two_bookings_swap_booths(db, fair):
    first, second = allocated(db, fair)
    booth_a, booth_b = first.booth_id, second.booth_id
    booking.swap(fair.organiser, first, second)
    db.session.commit()
    assert (first.booth_id, second.booth_id) == (booth_b, booth_a)
    assert active_count(db) == 2


def test_a_swap_that_breaks_a_zone_rule_is_refused(db, fair):
    fair.zone_rule("province", "20", "province:20")
    (pavilion,) = fair.add_booths(1, tags="province:20")
    (plain,) = fair.add_booths(1)
    fair.first_come()
    user, registration = fair.exhibitor(province="20")
    other_user, other = fair.exhibitor(province="22")
    a = booking.pick_booth(user, registration, pavilion)
    b = booking.pick_booth(other_user, other, plain)
    with pytest.raises(ServiceError, match="province:20"):
        booking.swap(fair.organiser, a, b)
    assert (a.booth_id, b.booth_id) == (pavilion.id, plain.id)


def test_payment_confirmed_or_waived_confirms_the_booking(db, fair):
    first, second = allocated(db, fair)
    booking.confirm_payment(fair.organiser, first)
    booking.waive_payment(fair.organiser, second)
    assert (first.status, first.payment) == ("confirmed", "paid")
    assert (second.status, second.payment) == ("confirmed", "waived")
    exhibitor_user = db.session.get(type(fair.organiser), first.registration.organisation.users[0].id)
    with pytest.raises(PermissionDenied):
        booking.confirm_payment(exhibitor_user, first)


def test_an_exhibitor_gives_back_its_booth_only_before_confirmation(db, fair):
    (first,) = allocated(db, fair, n=1)
    user = first.registration.organisation.users[0]
    booking.cancel_assignment(user, first)
    assert first.status == "cancelled"
    (second,) = allocated(db, fair, n=1)
    booking.confirm_payment(fair.organiser, second)
    with pytest.raises(ServiceError, match="organiser"):
        booking.cancel_assignment(second.registration.organisation.users[0], second)


def test_an_exhibitor_sees_only_its_own_requests(db, fair, buyer_user):
    fair.add_booths(2)
    user, registration = fair.exhibitor()
    other_user, other = fair.exhibitor()
    booking.request_booth(user, registration, fair.standard)
    booking.request_booth(other_user, other, fair.standard)
    mine = booking.my_requests(user)
    assert [m.registration.id for m in mine] == [registration.id]
    assert mine[0].request.registration_id == registration.id
    assert booking.my_requests(buyer_user) == []
    assert booking.my_requests(fair.organiser) == []


# ---------------------------------------------------------------- pages


def _form_error(page) -> str:
    """The refusal shown above the page's form, under its title."""
    return " ".join(text_of(alert) for alert in page.select("main h1 ~ .alert-danger[role=alert]"))


def _card(page, registration):
    """The card of one registration on "My booths"."""
    return page.select_one(f"main .card[data-registration='{registration.id}']")


def test_exhibitor_pages_request_and_see_its_booth(client, login, db, fair, html):
    (a1,) = fair.add_booths(1)
    user, registration = fair.exhibitor()
    db.session.commit()
    login(user)
    page = client.get(f"/my/booths/{registration.id}/request?lang=en")
    assert page.status_code == 200
    offered = html(page).select_one(f"select#preference_1 option[value='booth:{a1.id}']")
    assert text_of(offered).startswith("A-1")  # the free booth is offered as a preference
    response = client.post(
        f"/my/booths/{registration.id}/request",
        data={"booth_type": fair.standard.id, "preference_1": f"booth:{a1.id}", "note": "ok"},
    )
    assert response.status_code == 302
    booking.allocate_all(fair.organiser, fair.event)
    db.session.commit()
    card = _card(html(client.get("/my/booths?lang=en")), registration)
    assert text_of(card.select_one(".booth-code")) == "A-1"
    assert text_of(card.select_one("[data-payment]")) == "Payment due"
    assert "This was your preference no. 1." in [text_of(p) for p in card.find_all("p")]


def test_the_request_form_shows_a_refusal(client, login, db, fair, make_booth_fair, html):
    fair.add_booths(1)
    other_fair = make_booth_fair(fair.organiser)
    (elsewhere,) = other_fair.add_booths(1)
    user, registration = fair.exhibitor()
    db.session.commit()
    login(user)
    response = client.post(
        f"/my/booths/{registration.id}/request?lang=en",
        data={"booth_type": fair.standard.id, "preference_1": f"booth:{elsewhere.id}"},
    )
    assert response.status_code == 200
    assert "belongs to another event" in _form_error(html(response))
    assert db.session.scalar(select(func.count()).select_from(BoothRequest)) == 0


def _marked_invalid(page, field_id):
    """The field is marked invalid, its message tied to it, and the summary links to it."""
    field = page.find(id=field_id)
    assert field["aria-invalid"] == "true"
    described = field["aria-describedby"].split()
    assert described and all(text_of(page.find(id=i)) for i in described)
    summary = page.select_one("[data-error-summary]")
    assert summary is not None and summary["role"] == "alert"
    assert f"#{field_id}" in [a["href"] for a in summary.select("a")]
    return field


def test_a_refused_request_marks_the_field_at_fault_and_sums_it_up(
    client, login, db, fair, make_booth_fair, html
):
    fair.add_booths(1)
    (elsewhere,) = make_booth_fair(fair.organiser).add_booths(1)
    user, registration = fair.exhibitor()
    _, neighbour = fair.exhibitor()
    db.session.commit()
    login(user)
    page = html(
        client.post(
            f"/my/booths/{registration.id}/request?lang=en",
            data={"booth_type": fair.standard.id, "preference_1": f"booth:{elsewhere.id}"},
        )
    )
    field = _marked_invalid(page, "preference_1")
    assert "belongs to another event" in text_of(page.find(id=field["aria-describedby"]))
    assert page.select_one("#booth_type").get("aria-invalid") is None
    both = neighbour.organisation_id
    page = html(
        client.post(
            f"/my/booths/{registration.id}/request?lang=en",
            data={"booth_type": fair.standard.id, "near": both, "away": both},
        )
    )
    _marked_invalid(page, f"away-{both}")
    assert page.select("form [aria-invalid]") == [page.find(id=f"away-{both}")]
    page = html(client.post(f"/my/booths/{registration.id}/request?lang=en", data={"booth_type": ""}))
    _marked_invalid(page, "booth_type")


def test_several_exhibitors_are_ticked_near_and_away_as_check_boxes(client, login, db, fair, html):
    fair.add_booths(1)
    user, registration = fair.exhibitor()
    others = [fair.exhibitor()[1].organisation_id for _ in range(4)]
    db.session.commit()
    login(user)
    page = html(client.get(f"/my/booths/{registration.id}/request?lang=en"))
    assert page.select("select[multiple]") == []
    assert sorted(int(b["value"]) for b in page.select("input[type=checkbox][name=near]")) == sorted(others)
    for box in page.select("input[type=checkbox][name=near], input[type=checkbox][name=away]"):
        assert text_of(page.select_one(f"label[for='{box['id']}']"))
    data = {"booth_type": fair.standard.id, "near": others[:2], "away": others[2:]}
    response = client.post(f"/my/booths/{registration.id}/request", data=data)
    assert response.status_code == 302
    request = booking.open_request_of(registration)
    kinds = sorted((p.kind, p.organisation_id) for p in request.proximities)
    assert kinds == sorted(
        [("near", others[0]), ("near", others[1]), ("away", others[2]), ("away", others[3])]
    )
    page = html(client.get(f"/my/booths/{registration.id}/request?lang=en"))
    ticked = {(b["name"], int(b["value"])) for b in page.select("input[type=checkbox]:checked")}
    assert ticked == {(k, o) for k, o in kinds}


def test_other_exhibitors_and_buyers_can_not_open_an_exhibitors_booking_pages(
    client, login, db, fair, buyer_user
):
    fair.add_booths(1)
    _, registration = fair.exhibitor()
    other_user, _ = fair.exhibitor()
    db.session.commit()
    login(other_user)
    assert client.get(f"/my/booths/{registration.id}/request").status_code == 403
    assert client.post(f"/my/booths/{registration.id}/pick", data={"booth": 1}).status_code == 403
    client.post("/logout")
    login(buyer_user)
    assert client.get("/my/booths").status_code == 403
    assert client.get(f"/my/booths/{registration.id}/request").status_code == 403


def test_organiser_pages_are_for_the_events_own_organisers(client, login, db, fair, make_user):
    first, _ = allocated(db, fair)
    other_organiser = make_user(role="organiser")
    exhibitor_user = first.registration.organisation.users[0]
    db.session.commit()
    event_id = fair.event.id
    urls = [
        f"/manage/events/{event_id}/booth-requests",
        f"/manage/events/{event_id}/booth-allocation",
        f"/manage/events/{event_id}/booth-allocation/result",
        f"/manage/events/{event_id}/booth-assignments/{first.id}/move",
    ]
    for intruder in (other_organiser, exhibitor_user):
        login(intruder)
        for url in urls:
            assert client.get(url).status_code == 403, url
        assert client.post(f"/manage/events/{event_id}/booth-allocation").status_code == 403
        assert (
            client.post(f"/manage/events/{event_id}/booth-assignments/{first.id}/payment").status_code == 403
        )
        client.post("/logout")
    login(fair.organiser)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_organiser_allocates_from_the_page_and_reads_the_result(client, login, db, fair, html, worker):
    a1, a2 = fair.add_booths(2)
    users = [fair.exhibitor(stars=s) for s in (5, 4, 3)]
    for (user, registration), wish in zip(users, (a1, a1, a2), strict=True):
        booking.request_booth(user, registration, fair.standard, preferences=[wish.id])
    db.session.commit()
    login(fair.organiser)
    confirm = html(client.get(f"/manage/events/{fair.event.id}/booth-allocation?lang=en"))
    summary = confirm.select_one("main .card-body p")
    assert text_of(summary) == "3 open requests will be allocated among 2 free booths."
    response = client.post(f"/manage/events/{fair.event.id}/booth-allocation")
    assert response.status_code == 302  # at once, back to the requests, where the job shows
    assert response.headers["Location"] == f"/manage/events/{fair.event.id}/booth-requests#job"
    waiting = html(client.get(response.headers["Location"]))
    assert waiting.select_one("#job")["data-state"] == "queued" and active_count(db) == 0
    worker.drain()
    requests_page = html(client.get(f"/manage/events/{fair.event.id}/booth-requests?lang=en"))
    assert requests_page.select_one("#job")["data-state"] == "succeeded"
    outcome = requests_page.select_one("#job .alert-warning")  # one exhibitor was not placed
    assert text_of(outcome.select_one("[data-field=message]")) == "Allocation done: 2 placed, 1 not placed."
    result_url = urlsplit(outcome.select_one("[data-field=result]")["href"]).path
    assert result_url == f"/manage/events/{fair.event.id}/booth-allocation/result"
    result = html(client.get(result_url + "?lang=en"))
    rows = {
        text_of(row.td): [text_of(cell) for cell in row.find_all("td")[1:]]
        for row in result.select("table#result tbody tr")
    }
    names = [registration.organisation.name for _user, registration in users]
    assert rows[names[0]][:2] == ["A-1", "Preference 1"]  # the 5-star exhibitor got its wish
    assert rows[names[2]][:2] == ["A-2", "Preference 1"]
    assert rows[names[1]][:2] == ["", ""]
    assert "went to exhibitors ranked before you" in rows[names[1]][2]  # why not placed, on its row
    client.post("/logout")
    login(users[1][0])  # the 4-star exhibitor lost booth 1 to the 5-star one
    mine = _card(html(client.get("/my/booths?lang=en")), users[1][1])
    why = text_of(mine.select_one(".alert-warning"))
    assert why.startswith("Not placed:") and "went to exhibitors ranked before you" in why
    change = mine.find("a", string="Change my request")
    assert change["href"] == f"/my/booths/{users[1][1].id}/request"
    assert client.get(f"/my/booths/{users[1][1].id}/request?lang=en").status_code == 200
    assert text_of(result.select_one("#summary [data-figure=placed]")) == "2"
    assert text_of(result.select_one("#summary [data-figure=unplaced]")) == "1"


def test_organiser_moves_from_the_page_and_sees_a_refusal(client, login, db, fair, html):
    fair.zone_rule("group", "beverages", "drinks")
    drinks = fair.add_booths(2, tags="drinks")
    (food,) = fair.add_booths(1, tags="food")
    fair.first_come()
    user, registration = fair.exhibitor()
    assignment = booking.pick_booth(user, registration, drinks[0])
    db.session.commit()
    login(fair.organiser)
    url = f"/manage/events/{fair.event.id}/booth-assignments/{assignment.id}/move?lang=en"
    refused = client.post(url, data={"action": "move", "booth": food.id})
    assert refused.status_code == 200
    assert "not in zone “drinks”" in _form_error(html(refused))
    check_invalid_fields(html(refused), ["booth"])  # the booth list is marked and tied to the reason
    swap = html(client.post(url, data={"action": "swap", "other": "0"}))
    assert "Choose another exhibitor" in _form_error(swap)
    assert swap.select("[aria-invalid]") == []  # no other booking to choose: nothing to lead to
    moved = client.post(url, data={"action": "move", "booth": drinks[1].id})
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(BoothAssignment, assignment.id).booth_id == drinks[1].id


def test_a_second_organiser_of_the_event_may_confirm_payment(client, login, db, fair, make_user):
    (first,) = allocated(db, fair, n=1)
    co_organiser = make_user(role="organiser")
    fair.event.organisers.append(EventOrganiser(user_id=co_organiser.id))
    db.session.commit()
    login(co_organiser)
    response = client.post(
        f"/manage/events/{fair.event.id}/booth-assignments/{first.id}/payment", data={"action": "waive"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(BoothAssignment, first.id).status == "confirmed"


def test_the_pick_page_books_a_free_booth(client, login, db, fair, html):
    (booth,) = fair.add_booths(1)
    fair.first_come()
    user, registration = fair.exhibitor()
    db.session.commit()
    login(user)
    rows = html(client.get(f"/my/booths/{registration.id}/pick")).select("main table tbody tr")
    assert [text_of(row.td) for row in rows] == ["A-1"]
    assert rows[0].select_one("form[method=post] input[name=booth]")["value"] == str(booth.id)
    response = client.post(f"/my/booths/{registration.id}/pick", data={"booth": booth.id})
    assert response.status_code == 302
    assert active_count(db, booth_id=booth.id) == 1


def test_a_pick_refused_by_the_unique_index_keeps_nothing_and_says_the_booth_was_taken(
    client, login, db, fair, monkeypatch, html
):
    """The race seen from one request: the check passed, the insert is refused inside a savepoint."""
    (booth,) = fair.add_booths(1)
    fair.first_come()
    winner, winner_registration = fair.exhibitor()
    user, registration = fair.exhibitor()
    booking.request_booth(user, registration, fair.standard, preferences=[booth.id])  # while it is free
    booking.pick_booth(winner, winner_registration, booth)
    db.session.commit()
    monkeypatch.setattr(booking, "holder_of", lambda booth: None)  # the other pick lands after the check
    login(user)
    response = client.post(f"/my/booths/{registration.id}/pick?lang=en", data={"booth": booth.id})
    assert response.status_code == 200
    assert "This booth was just taken by another exhibitor; please choose another." in flashes(html(response))
    assert active_count(db, booth_id=booth.id) == 1
    assert active_count(db, registration_id=registration.id) == 0
    assert booking.open_request_of(registration).status == "pending"


def test_a_pick_is_undone_with_the_transaction_it_belongs_to(db, fair):
    """The savepoint nests in the caller's transaction (on SQLite too, where nothing was written yet)."""
    (booth,) = fair.add_booths(1)
    fair.first_come()
    user, registration = fair.exhibitor()
    db.session.commit()  # the next transaction begins with the pick itself
    booking.pick_booth(user, registration, booth)
    db.session.rollback()
    assert active_count(db, booth_id=booth.id) == 0


def test_a_pick_commits_the_booking_and_the_request_together(client, login, db, fair):
    (booth,) = fair.add_booths(1)
    fair.first_come()
    user, registration = fair.exhibitor()
    booking.request_booth(user, registration, fair.standard, preferences=[booth.id])
    db.session.commit()
    login(user)
    response = client.post(f"/my/booths/{registration.id}/pick", data={"booth": booth.id})
    assert response.status_code == 302
    assert active_count(db, booth_id=booth.id, registration_id=registration.id) == 1
    request = booking.open_request_of(registration)
    assert (request.status, request.got_preference) == ("allocated", 1)


def test_the_allocate_command_places_pending_requests_and_refuses_a_stranger(db, fair, runner, make_user):
    (booth,) = fair.add_booths(1)
    user, registration = fair.exhibitor()
    booking.request_booth(user, registration, fair.standard, preferences=[booth.id])
    stranger = make_user(role="organiser")
    db.session.commit()

    refused = runner.invoke(args=["booths", "allocate", fair.event.slug, "--as", stranger.email])
    assert refused.exit_code == 2
    assert "does not organise" in refused.output
    assert active_count(db) == 0

    done = runner.invoke(args=["booths", "allocate", fair.event.slug, "--as", fair.organiser.email])
    assert done.exit_code == 0, done.output
    assert "1 placed, 0 not placed" in done.output
    db.session.expire_all()
    assert active_count(db, booth_id=booth.id, registration_id=registration.id) == 1


def test_an_exhibitor_that_withdraws_gives_its_booth_back(db, fair):
    (booth,) = fair.add_booths(1)
    user, registration = fair.exhibitor()
    booking.request_booth(user, registration, fair.standard, preferences=[booth.id])
    booking.allocate_all(fair.organiser, fair.event)
    assert active_count(db, booth_id=booth.id) == 1
    reg.withdraw(user, registration, now=NOW)
    db.session.commit()
    assert active_count(db, booth_id=booth.id) == 0
    assert db.session.scalar(
        select(BoothRequest).where(BoothRequest.registration_id == registration.id)
    ).status == ("cancelled")
    # the freed booth goes to the next exhibitor
    other_user, other = fair.exhibitor()
    booking.request_booth(other_user, other, fair.standard, preferences=[booth.id])
    booking.allocate_all(fair.organiser, fair.event)
    assert active_count(db, booth_id=booth.id, registration_id=other.id) == 1
