"""A product's name in the reader's language, then English, then Vietnamese, marked with `lang`
when it is not the page's language (screen readers then read it right)."""

from __future__ import annotations

from app.catalog.models import Product
from app.catalog.services import ProductFilters, catalogue_query
from app.extensions import db as _db


def _heading(client, html, product, lang):
    return html(client.get(f"/products/{product.id}?lang={lang}")).select_one("h1")


def test_an_english_page_shows_the_english_name_unmarked(client, make_product, html):
    product = make_product(name_vi="Chè xanh", name_en="Green tea", name_fr=None)
    heading = _heading(client, html, product, "en")
    assert heading.get_text(strip=True) == "Green tea" and heading.select("[lang]") == []


def test_a_french_page_falls_back_to_english_before_vietnamese_and_says_so(client, make_product, html):
    product = make_product(name_vi="Chè xanh", name_en="Green tea", name_fr=None)
    heading = _heading(client, html, product, "fr")
    assert heading.select_one("span[lang=en]").get_text() == "Green tea"


def test_a_french_name_is_shown_to_french_readers_unmarked(client, make_product, html):
    product = make_product(name_vi="Chè xanh", name_en="Green tea", name_fr="Thé vert")
    heading = _heading(client, html, product, "fr")
    assert heading.get_text(strip=True) == "Thé vert" and heading.select("[lang]") == []


def test_a_vietnamese_only_name_is_marked_vi_on_english_and_french_pages(client, make_product, html):
    product = make_product(name_vi="Chè xanh", name_en=None, name_fr=None)
    for lang in ("en", "fr"):
        assert _heading(client, html, product, lang).select_one("span[lang=vi]").get_text() == "Chè xanh"
    vietnamese = _heading(client, html, product, "vi")
    assert vietnamese.get_text(strip=True) == "Chè xanh" and vietnamese.select("[lang]") == []


def test_the_catalogue_card_marks_a_fallback_name(client, make_product, html):
    make_product(name_vi="Mật ong rừng", name_en="Forest honey", name_fr=None)
    page = html(client.get("/catalogue?lang=fr"))
    assert [span.get_text() for span in page.select(".card-title span[lang=en]")] == ["Forest honey"]


def test_the_catalogue_sorts_french_readers_by_the_name_they_see(db, make_product):
    make_product(name_vi="A chè", name_en="Zucchini tea", name_fr=None)
    make_product(name_vi="Z chè", name_en="Black tea", name_fr=None)
    names = [
        p.name_in("fr")
        for p in _db.session.scalars(catalogue_query(ProductFilters(sort="name"), locale="fr"))
    ]
    assert names == ["Black tea", "Zucchini tea"]


def test_the_description_falls_back_the_same_way(db, make_product):
    product: Product = make_product(description_vi="Mô tả", description_en="Description")
    assert product.description_in("fr") == "Description"
