"""Booth builders: an event with a hall, booth types and booths, and approved exhibitors."""

from __future__ import annotations

import pytest

from app.booths.models import Booth, BoothPlanSettings, BoothType, ZoneRule
from app.events import services as events
from app.events.registrations import services as reg
from tests.conftest import NOW


class Fair:
    """An event with one hall, two booth types and a row of booths, and a way to add approved exhibitors."""

    def __init__(
        self, db, organiser, make_producer, make_user, make_product, make_open_event, *, price=2_000_000
    ):
        self.db = db
        self.organiser = organiser
        self._make_producer, self._make_user, self._make_product = make_producer, make_user, make_product
        self.event = make_open_event(organiser, exhibitor_capacity=80)
        self.hall = events.save_hall(organiser, self.event, name="Hall A", width_m=120, depth_m=40)
        self.standard = self.add_type("Standard 3×3", price)
        self.double = self.add_type("Double 3×6", price * 2, width=6)
        self.booths: list[Booth] = []

    def add_type(self, name, price, width=3):
        booth_type = BoothType(
            event_id=self.event.id, name=name, width_m=width, depth_m=3, price_vnd=price, is_electronic=False
        )
        self.db.session.add(booth_type)
        self.db.session.flush()
        return booth_type

    def add_booths(self, n, booth_type=None, tags="", y=0.0, blocked=False):
        booth_type = booth_type or self.standard
        width = float(booth_type.width_m)
        start = len(self.booths)
        made = []
        for k in range(n):
            booth = Booth(
                event_id=self.event.id,
                hall_id=self.hall.id,
                booth_type_id=booth_type.id,
                code=f"A-{start + k + 1}",
                x_m=(start + k) * (width + 1),  # 1 m apart: not side by side
                y_m=y,
                width_m=width,
                depth_m=3,
                zone_tags=tags,
                blocked=blocked,
            )
            self.db.session.add(booth)
            made.append(booth)
        self.db.session.flush()
        self.booths.extend(made)
        return made

    def exhibitor(self, *, province="22", group="beverages", category="tea", stars=4):
        organisation = self._make_producer(province_code=province)
        user = self._make_user(role="exhibitor", organisation=organisation)
        product = self._make_product(organisation, ocop_group=group, category=category, stars=stars)
        registration = reg.apply_as_exhibitor(user, self.event, [product.id], now=NOW)
        reg.approve(self.organiser, registration, now=NOW)
        return user, registration

    def first_come(self, allowed=True):
        settings = self.db.session.get(BoothPlanSettings, self.event.id)
        if settings is None:
            settings = BoothPlanSettings(event_id=self.event.id)
            self.db.session.add(settings)
        settings.first_come_booking = allowed
        self.db.session.flush()

    def zone_rule(self, kind, value, zone):
        rule = ZoneRule(event_id=self.event.id, match_kind=kind, match_value=value, zone=zone)
        self.db.session.add(rule)
        self.db.session.flush()
        return rule


@pytest.fixture()
def make_booth_fair(db, make_producer, make_user, make_product, make_open_event):
    """`make_booth_fair(organiser)`: an open event with a hall, two booth types, and builders."""

    def build(organiser, **options):
        return Fair(db, organiser, make_producer, make_user, make_product, make_open_event, **options)

    return build


@pytest.fixture()
def fair(make_booth_fair, organiser):
    return make_booth_fair(organiser)
