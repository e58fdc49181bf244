"""A buyer's preferred province matches producers recorded under its earlier or current name."""

from __future__ import annotations

import pytest

from app.catalog import services as catalog
from app.events.registrations import services as reg
from app.matching.engine.scoring import score_pair
from app.matching.sessions import services
from app.matching.sessions.scoring import explain
from tests.conftest import NOW


@pytest.fixture(autouse=True)
def request_context(app, db):
    with app.test_request_context("/?lang=en"):
        yield


def _profiles(
    organiser, make_open_event, make_producer, make_buyer, make_user, make_product, *, wants, producers
):
    event = make_open_event(organiser)
    for province in producers:
        organisation = make_producer(province_code=province)
        user = make_user(role="exhibitor", organisation=organisation)
        item = make_product(organisation, category="tea", ocop_group="beverages")
        registration = reg.apply_as_exhibitor(user, event, [item.id], now=NOW)
        reg.approve(organiser, registration, now=NOW)
    organisation = make_buyer()
    user = make_user(role="buyer", organisation=organisation)
    line = catalog.save_demand_line(
        user, organisation, category="tea", monthly_volume=200, unit="kg", min_stars=3, provinces=wants
    )
    registration = reg.register_as_buyer(user, event, [line.id], now=NOW)
    reg.approve(organiser, registration, now=NOW)
    _buyers, _producers, (buyer,), offered = services.load_participants(event)
    return buyer, offered


@pytest.mark.parametrize("wanted", ["24", "27"])  # Bắc Ninh by its current code, or its earlier one
def test_a_buyer_preferring_bac_ninh_scores_a_bac_giang_producer_as_in_province(
    wanted, organiser, make_open_event, make_producer, make_buyer, make_user, make_product
):
    buyer, (bac_giang, earlier_bac_ninh, quang_ninh) = _profiles(
        organiser,
        make_open_event,
        make_producer,
        make_buyer,
        make_user,
        make_product,
        wants=[wanted],
        producers=["24", "27", "22"],
    )
    on = NOW.date()
    assert score_pair(buyer, bac_giang, on=on).terms["province"].value == 1.0
    assert score_pair(buyer, earlier_bac_ninh, on=on).terms["province"].value == 1.0
    assert score_pair(buyer, quang_ninh, on=on).terms["province"].value < 1.0
    reasons = " ".join(explain(score_pair(buyer, bac_giang, on=on).breakdown()))
    assert "Comes from Bắc Ninh, a province the buyer prefers." in reasons


def test_a_buyer_preferring_an_earlier_province_finds_the_rest_of_its_current_one(
    organiser, make_open_event, make_producer, make_buyer, make_user, make_product
):
    # Hà Giang (02) is now part of Tuyên Quang (08); Lạng Sơn (20) is unchanged and elsewhere.
    buyer, (tuyen_quang, lang_son) = _profiles(
        organiser,
        make_open_event,
        make_producer,
        make_buyer,
        make_user,
        make_product,
        wants=["02"],
        producers=["08", "20"],
    )
    assert score_pair(buyer, tuyen_quang, on=NOW.date()).terms["province"].value == 1.0
    assert score_pair(buyer, lang_son, on=NOW.date()).terms["province"].value < 1.0
