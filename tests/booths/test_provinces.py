"""Zone rules and pavilions name a province by its earlier or current name and mean the current one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.booths.booking import services as booking
from app.booths.models import BoothAssignment
from app.booths.plan import services as plan


@pytest.fixture(autouse=True)
def english(app, db):
    with app.test_request_context("/?lang=en"):
        yield


def test_a_rule_for_bac_ninh_places_the_producers_recorded_in_bac_giang_in_its_pavilion(db, fair):
    rule = plan.save_zone_rule(fair.organiser, fair.event, match_kind="province", value="Bắc Ninh")
    assert (rule.match_value, rule.zone) == ("27", "province:24")  # the name given; Bắc Ninh's pavilion now
    assert plan.zone_rule_label(rule) == "Bắc Ninh"
    assert plan.normalise_tags("province:Bắc Giang") == "province:24"
    assert plan.tag_label("province:24") == "Pavilion: Bắc Ninh"
    free_type = fair.add_type("Free", 0)
    pavilion = fair.add_booths(1, free_type, tags=plan.normalise_tags("province:Bac Giang"))
    plain = fair.add_booths(1, free_type)
    bac_giang_user, bac_giang = fair.exhibitor(province="24", stars=3)
    other_user, other = fair.exhibitor(province="22", stars=5)
    assert booking.requirements_of(bac_giang) == (frozenset({"province:24"}),)
    booking.request_booth(bac_giang_user, bac_giang, free_type)
    booking.request_booth(other_user, other, free_type, preferences=[pavilion[0].id])
    booking.allocate_all(fair.organiser, fair.event)
    by_registration = {a.registration_id: a.booth_id for a in db.session.scalars(select(BoothAssignment))}
    assert by_registration == {bac_giang.id: pavilion[0].id, other.id: plain[0].id}


def test_a_pavilion_tagged_with_the_earlier_code_is_the_current_provinces_pavilion(db, fair):
    fair.zone_rule("province", "24", "province:24")  # a rule for Bắc Giang, stored before the merger
    (pavilion,) = fair.add_booths(1, tags="province:27")  # tagged for the earlier Bắc Ninh
    _user, earlier_bac_ninh = fair.exhibitor(province="27")
    assert pavilion.tags == ["province:24"]
    assert booking.requirements_of(earlier_bac_ninh) == (frozenset({"province:24"}),)
    assert booking.hard_rule_problem(earlier_bac_ninh, pavilion, fair.standard) is None


def test_the_zone_rule_form_offers_the_current_provinces(client, db, fair, login, html):
    login(fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/booth-zones?lang=en"))
    provinces = [
        o["value"] for o in page.select("select[name=rule-who] option") if o["value"].startswith("province:")
    ]
    assert len(provinces) == 34 and "province:24" in provinces and "province:27" not in provinces
