"""Only a product whose certificate an organiser verified feeds a producer's matchmaking offer
(issue 12): one revoked or rejected after the application no longer makes candidates."""

from __future__ import annotations

from app.catalog.models import Product
from app.matching.sessions import services


def test_a_product_whose_certificate_is_no_longer_verified_is_not_offered(db, fair):
    kept = fair.producer(category="tea")
    revoked = fair.producer(category="honey")
    fair.buyer(category="honey")
    product = db.session.get(Product, revoked.product_rows[0].product_id)
    product.certificate_status = "rejected"
    db.session.flush()
    _buyers, producers, _profiles, offered = services.load_participants(fair.event)
    assert [p.id for p in producers] == [kept.id, revoked.id]
    offers = {profile.id: profile.products for profile in offered}
    assert [offer.category for offer in offers[services.person_id(kept)]] == ["tea"]
    assert offers[services.person_id(revoked)] == ()
