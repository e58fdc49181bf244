"""Searching the national catalogue: every word of the query, without accents or case; on
PostgreSQL through the trigram index on the folded search text (migration 1f3c7a9e5b21).
The facets of the filter menus come from one grouped query. How fast, at 17,000 and
170,000 products: benchmarks/catalog_national_bench.py."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, text

from app import clock
from app.catalog import services
from app.catalog.models import Organisation, Product


def found(words: str) -> list[str]:
    from app.extensions import db

    query = services.catalogue_query(services.ProductFilters(text=words, sort="name"))
    return [product.name_vi for product in db.session.scalars(query).unique()]


def directory(words: str) -> list[str]:
    from app.extensions import db

    return [org.name for org in db.session.scalars(services.organisation_query(text=words))]


def test_a_short_word_is_found_at_the_start_of_a_word_not_inside_one(make_product, db):
    make_product(name_vi="Gạo thơm An Giang", category="rice_noodles", ocop_group="food")
    make_product(name_vi="Bánh pía Sóc Trăng", category="confectionery", ocop_group="food")
    make_product(name_vi="Ăn liền mì gạo", category="rice_noodles", ocop_group="food")
    db.session.commit()
    assert sorted(found("an")) == ["Gạo thơm An Giang", "Ăn liền mì gạo"]  # not "bánh"
    assert found("ba") == ["Bánh pía Sóc Trăng"]
    assert found("pía sóc") == ["Bánh pía Sóc Trăng"]
    assert found("anh") == ["Bánh pía Sóc Trăng"]  # three letters: anywhere in a word


def test_a_search_word_with_like_wildcards_is_taken_literally(make_product, db):
    make_product(name_vi="Nước mắm 40% đạm", category="sauces_spices", ocop_group="food")
    make_product(name_vi="Nước mắm 405 cá cơm", category="sauces_spices", ocop_group="food")
    make_product(name_vi="Mật ong a_b", category="honey", ocop_group="food")
    db.session.commit()
    assert found("40%") == ["Nước mắm 40% đạm"]
    assert found("a_b") == ["Mật ong a_b"]
    assert found("_") == []


def test_the_directory_search_finds_a_producer_by_a_word_of_its_name_or_place(make_producer, db):
    make_producer(name="HTX Mật ong Bạc Hà", commune="Xã Bản Phố")
    make_producer(name="Công ty Cà phê Đắk Lắk", commune="Buôn Ma Thuột")
    db.session.commit()
    assert directory("mat ong") == ["HTX Mật ong Bạc Hà"]
    assert directory("ban pho") == ["HTX Mật ong Bạc Hà"]
    assert directory("ma thuot") == ["Công ty Cà phê Đắk Lắk"]


def test_the_facets_come_from_one_query_and_count_certified_products_only(make_product, make_producer, db):
    north = make_producer(province_code="22")
    south = make_producer(province_code="79")
    make_product(organisation=north, category="tea", ocop_group="beverages", stars=4)
    make_product(organisation=north, category="honey", ocop_group="food", stars=5)
    make_product(organisation=south, category="honey", ocop_group="food", stars=3)
    make_product(organisation=south, category="honey", ocop_group="food", stars=2)  # not certified
    expired = make_product(organisation=south, category="tea", ocop_group="beverages", stars=5)
    expired.certificate_date = clock.today() - timedelta(days=2000)
    expired.certificate_expiry = clock.today() - timedelta(days=1)
    db.session.commit()

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        facets = services.catalogue_facets()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert facets == {
        "groups": {"beverages": 1, "food": 2},
        "categories": {"tea": 1, "honey": 2},
        "provinces": {"22": 2, "79": 1},
        "stars": {3: 1, 4: 1, 5: 1},
    }


# ---------------------------------------------------------------- PostgreSQL's trigram index

on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the trigram index exists on PostgreSQL only (SQLite keeps LIKE)",
)
PRODUCTS = 6000
KINDS = ("Mật ong hoa nhãn", "Chè shan tuyết", "Nước mắm cá cơm", "Gạo thơm", "Cà phê rang xay")


@pytest.fixture()
def national_catalogue(db):
    """6,000 certified products of 1,500 producers, inserted in bulk and vacuumed."""
    issued = clock.today() - timedelta(days=100)
    organisations = [
        {
            "id": n,
            "role": "producer",
            "name": f"HTX Nông sản {n}",
            "producer_kind": "cooperative",
            "province_code": "22",
            "search_text": services.organisation_search_text(f"HTX Nông sản {n}", f"Xã {n}", None, "22"),
        }
        for n in range(1, PRODUCTS // 4 + 1)
    ]
    products = []
    for n in range(1, PRODUCTS + 1):
        name = f"{KINDS[n % len(KINDS)]} {n}"
        code = f"VN-{n:06d}"
        owner = organisations[(n - 1) // 4]["name"]
        products.append(
            {
                "id": n,
                "organisation_id": (n - 1) // 4 + 1,
                "name_vi": name,
                "ocop_group": "food",
                "category": "honey",
                "stars": 4,
                "certificate_date": issued,
                "certificate_expiry": issued + timedelta(days=1095),
                "traceability_code": code,
                "certificate_status": "verified",
                "search_text": services.product_search_text(name, None, None, code, owner),
            }
        )
    db.session.execute(insert(Organisation), organisations)
    db.session.execute(insert(Product), products)
    db.session.commit()
    # As autovacuum leaves them: the GIN indexes' pending entries merged, the statistics taken.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE organisations, products"))


def plan_of(db, query) -> str:
    compiled = str(query.compile(db.engine, compile_kwargs={"literal_binds": True})).replace("%%", "%")
    return "\n".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())


@on_postgresql
@pytest.mark.postgres
def test_a_catalogue_search_uses_the_trigram_index(national_catalogue, db):
    query = services.catalogue_query(services.ProductFilters(text="VN-004217"))
    assert "ix_products_search_text_trgm" in plan_of(db, query)
    assert found("vn-004217") == ["Nước mắm cá cơm 4217"]


@on_postgresql
@pytest.mark.postgres
def test_a_short_word_uses_the_trigram_index_too(national_catalogue, db):
    query = services.catalogue_query(services.ProductFilters(text="xx"))
    assert "ix_products_search_text_trgm" in plan_of(db, query)


@on_postgresql
@pytest.mark.postgres
def test_a_directory_search_uses_the_trigram_index(national_catalogue, db):
    query = services.organisation_query(text="nông sản 1234")
    assert "ix_organisations_search_text_trgm" in plan_of(db, query)
    assert directory("nông sản 1234") == ["HTX Nông sản 1234"]
