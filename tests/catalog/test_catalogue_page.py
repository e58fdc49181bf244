"""The catalogue page at national size: its page and total in one statement, its producers in
one more, and the filter menus' figures kept per process for a short time, forgotten as soon
as the catalogue changes in the same process."""

from __future__ import annotations

from sqlalchemy import text

from app.catalog import services
from app.catalog.models import Product
from tests.conftest import queries_of, text_of


def _total(page) -> str:
    return text_of(page.select_one("#filters .text-muted"))


def _group_option(page, code: str) -> str:
    return text_of(page.select_one(f"#group option[value='{code}']"))


def test_the_catalogue_page_sends_the_same_two_statements_whatever_the_catalogues_size(
    client, make_product, make_producer, db, app
):
    producer = make_producer()
    for n in range(3):
        make_product(organisation=producer, name_vi=f"Mật ong {n}", category="honey", ocop_group="food")
    db.session.commit()
    client.get("/catalogue")  # the facets are kept from here on
    small = queries_of(client, "/catalogue?q=mat+ong")
    for n in range(app.config["PAGE_SIZE"] * 2):
        make_product(make_producer(), name_vi=f"Mật ong rừng {n}", category="honey", ocop_group="food")
    db.session.commit()
    client.get("/catalogue")
    large = queries_of(client, "/catalogue?q=mat+ong")
    # The page with its total, then its producers (by id): no count, no facets, no standards.
    assert small == large == 2


def test_the_total_is_right_on_every_page_and_past_the_last(
    client, make_product, make_producer, db, app, html
):
    size = app.config["PAGE_SIZE"]
    producer = make_producer()
    for n in range(size + 3):
        make_product(organisation=producer, name_vi=f"Sản phẩm {n:03d}")
    db.session.commit()
    first = html(client.get("/catalogue?sort=name&lang=en"))
    second = html(client.get("/catalogue?sort=name&page=2&lang=en"))
    beyond = html(client.get("/catalogue?sort=name&page=9&lang=en"))
    assert _total(first) == _total(second) == _total(beyond) == f"{size + 3} products"
    assert len(second.select(".product-card")) == 3
    assert beyond.select(".product-card") == []
    assert "No certified product matches" in beyond.text
    # A province filter joins the producers instead of reading them afterwards: same cards.
    province = html(client.get(f"/catalogue?sort=name&lang=en&province={producer.province_code}"))
    assert _total(province) == f"{size + 3} products"
    assert [text_of(t) for t in province.select(".card-title")] == [
        text_of(t) for t in first.select(".card-title")
    ]


def test_the_facets_are_kept_until_the_catalogue_changes_in_this_process(
    client, make_product, make_producer, db, html
):
    make_product(name_vi="Mật ong bạc hà", category="honey", ocop_group="food")
    db.session.commit()
    assert _group_option(html(client.get("/catalogue?lang=en")), "food").endswith("(1)")
    kept = queries_of(client, "/catalogue?lang=en")
    assert kept == 2  # the facets came from the process's cache

    # A change committed through the app is shown at once.
    product = make_product(name_vi="Mật ong hoa nhãn", category="honey", ocop_group="food")
    db.session.commit()
    assert _group_option(html(client.get("/catalogue?lang=en")), "food").endswith("(2)")
    product.stars = 2  # no longer certified
    db.session.commit()
    assert _group_option(html(client.get("/catalogue?lang=en")), "food").endswith("(1)")
    # A rollback forgets nothing it did not change.
    product.stars = 5
    db.session.rollback()
    assert queries_of(client, "/catalogue?lang=en") == 2


def test_a_change_made_elsewhere_shows_once_the_time_to_live_has_passed(
    client, make_product, db, html, monkeypatch, app
):
    make_product(name_vi="Mật ong bạc hà", category="honey", ocop_group="food")
    db.session.commit()
    assert _group_option(html(client.get("/catalogue?lang=en")), "food").endswith("(1)")
    # Another process (a worker's import, SQL by hand) adds a product: this one can't know.
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE products SET ocop_group = 'beverages', category = 'tea'"))
    assert _group_option(html(client.get("/catalogue?lang=en")), "food").endswith("(1)")
    later = services.facets_cache.clock() + app.config["CATALOGUE_FACETS_TTL"] + 1
    monkeypatch.setattr(services.facets_cache, "clock", lambda: later)
    page = html(client.get("/catalogue?lang=en"))
    assert _group_option(page, "food").endswith("(0)")
    assert _group_option(page, "beverages").endswith("(1)")


def test_a_bulk_write_through_the_session_forgets_the_facets(client, make_product, db, html):
    product = make_product(name_vi="Mật ong bạc hà", category="honey", ocop_group="food")
    db.session.commit()
    assert _group_option(html(client.get("/catalogue?lang=en")), "food").endswith("(1)")
    from sqlalchemy import update

    db.session.execute(update(Product).where(Product.id == product.id).values(stars=1))
    db.session.commit()
    assert _group_option(html(client.get("/catalogue?lang=en")), "food").endswith("(0)")


def test_the_cache_can_be_turned_off(client, make_product, db, app):
    make_product(name_vi="Mật ong bạc hà", category="honey", ocop_group="food")
    db.session.commit()
    kept = app.config["CATALOGUE_FACETS_TTL"]
    app.config["CATALOGUE_FACETS_TTL"] = 0
    try:
        client.get("/catalogue")
        assert queries_of(client, "/catalogue") == 3
    finally:
        app.config["CATALOGUE_FACETS_TTL"] = kept
