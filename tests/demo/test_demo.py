"""The demo data set: realistic coverage, deterministic from its seed, loaded once by `make run`."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from app import clock
from app.accounts import services as accounts
from app.accounts.models import User
from app.catalog.models import DemandLine, Organisation, Product
from app.data.vocab import BUYER_TYPES, CATEGORIES, OCOP_GROUPS, UNITS
from app.demo import services as demo

SEED = 2025


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_same_seed_builds_the_same_data_and_another_seed_other_data():
    today = date(2025, 6, 1)
    first = demo.build_demo(SEED, today).signature()
    assert first == demo.build_demo(SEED, today).signature()
    assert first != demo.build_demo(SEED + 1, today).signature()
    # The featured organisations and logins do not depend on the seed.
    other = demo.build_demo(SEED + 1, today)
    assert other.producers[0].organisation["name"] == demo.FEATURED_PRODUCER
    assert other.buyers[0].organisation["name"] == demo.FEATURED_BUYER


def test_built_data_is_valid_and_unique_for_many_seeds():
    today = clock.today()
    for seed in (0, 1, 7, 42, SEED):
        data = demo.build_demo(seed, today)
        products = [p for spec in data.producers for p in spec.products]
        assert len(data.producers) >= 150 and len(products) >= 300
        names = [s.organisation["name"] for s in data.producers + data.buyers]
        assert len(names) == len(set(names))
        codes = [p["traceability_code"] for p in products if p["traceability_code"]]
        assert len(codes) == len(set(codes)) and len(codes) > len(products) // 2
        organisations = [spec.organisation for spec in data.producers + data.buyers]
        taxes = [org["tax_code"] for org in organisations if org["tax_code"]]
        assert len(taxes) == len(set(taxes)) and all(len(t) == 10 and t.isdigit() for t in taxes)
        for product in products:
            assert CATEGORIES[product["category"]][0] == product["ocop_group"]
            assert product["certificate_date"] < today
            assert product["capacity_unit"] in UNITS
            assert product["price_min"] is None or isinstance(product["price_min"], int)
        names = {p["name_vi"] for p in products}
        for cluster in demo.CLUSTERS:  # every kind of every place is made by someone
            assert all(any(n.startswith(kind.vi) for n in names) for kind in cluster.kinds)
        for buyer in data.buyers:
            assert 1 <= len(buyer.demand) <= 4
            assert all(line["unit"] in UNITS and line["min_stars"] in (3, 4) for line in buyer.demand)


def test_loading_the_demo_creates_a_realistic_catalogue_and_working_logins(db):
    summary = demo.load_demo(SEED)
    today = clock.today()

    producers = _count(db, Organisation, Organisation.role == "producer")
    products = _count(db, Product)
    assert producers >= 150 and products >= 300
    assert (summary.producers, summary.products) == (producers, products)

    groups = set(db.session.scalars(select(Product.ocop_group).distinct()))
    assert groups == set(OCOP_GROUPS)
    by_province = Counter(
        db.session.scalars(select(Organisation.province_code).where(Organisation.role == "producer"))
    )
    assert all(by_province[code] >= 30 for code in ("22", "24", "20"))
    assert sum(by_province[code] for code in ("22", "24", "20")) > 0.75 * producers
    assert len(by_province) >= 6

    # The demo's certificates have been checked: every product's is verified.
    assert _count(db, Product, Product.certificate_status != "verified") == 0
    expired = _count(db, Product, Product.certificate_expiry < today)
    certified = _count(db, Product, Product.stars >= 3, Product.certificate_expiry >= today)
    assert expired > 10 and certified > 150
    assert _count(db, Product, Product.stars < 3) > 0
    assert _count(db, Product, Product.stars == 5) > 0
    assert (summary.expired, summary.certified) == (expired, certified)
    for product in db.session.scalars(select(Product).where(Product.name_vi == "Chả mực Hạ Long")):
        assert product.name_en == "Hạ Long squid cake" and product.organisation.province_code == "22"

    buyers = list(db.session.scalars(select(Organisation).where(Organisation.role == "buyer")))
    assert len(buyers) >= 60
    assert {buyer.buyer_type for buyer in buyers} == set(BUYER_TYPES)
    assert all(1 <= len(buyer.demand_lines) <= 4 for buyer in buyers)
    assert _count(db, DemandLine) == summary.demand_lines
    assert any(line.required_standards for buyer in buyers for line in buyer.demand_lines)
    assert any(line.preferred_provinces for buyer in buyers for line in buyer.demand_lines)

    # What was stored is what build_demo produced from the same seed.
    built = demo.build_demo(SEED)
    stored = list(db.session.scalars(select(Organisation.name).order_by(Organisation.id)))
    assert stored == [s.organisation["name"] for s in built.producers + built.buyers]

    text = summary.describe()
    assert f"{producers} producers" in text and f"{products} products" in text
    assert "school_kitchen" in text and demo.DEMO_PASSWORD in text

    for login in demo.DEMO_LOGINS:
        user = accounts.authenticate(login.email, demo.DEMO_PASSWORD)
        assert user is not None and user.role == login.role
    exhibitor = accounts.find_user_by_email("exhibitor@demo.ocopfair.vn")
    assert exhibitor.organisation.name == demo.FEATURED_PRODUCER
    assert exhibitor.organisation.province_code == "22"
    assert sum(p.is_certified(today) for p in exhibitor.organisation.products) >= 3
    buyer = accounts.find_user_by_email("buyer@demo.ocopfair.vn")
    assert buyer.organisation.buyer_type == "supermarket" and len(buyer.organisation.demand_lines) >= 3


def test_demo_load_if_empty_loads_once_and_the_printed_logins_work(runner, client, db):
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "producers" in first.output and "exhibitor@demo.ocopfair.vn" in first.output
    for part in ("demo logins", "producers and their products", "buyers and their demand", "the demo fair"):
        assert f"  {part}" in first.output  # a progress line per part as it loads
    counts = (_count(db, Organisation), _count(db, Product), _count(db, User))

    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "not empty" in second.output
    assert (_count(db, Organisation), _count(db, Product), _count(db, User)) == counts
    assert counts[2] == len(demo.DEMO_LOGINS)

    logins = runner.invoke(args=["demo", "logins"])
    assert demo.DEMO_PASSWORD in logins.output
    for login in demo.DEMO_LOGINS:
        assert login.email in logins.output
    response = client.post(
        "/login", data={"email": "exhibitor@demo.ocopfair.vn", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/my/products").status_code == 200
