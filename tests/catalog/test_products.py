"""Exhibitors keep their OCOP products; the catalogue shows only certified ones."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from app import clock
from app.catalog import services
from app.catalog.models import DemandLine, Organisation, Product
from tests.conftest import text_of
from tests.pages import field_error

PRODUCT_FORM = {
    "name_vi": "Chè xanh Đường Hoa",
    "name_en": "Duong Hoa green tea",
    "name_fr": "Thé vert de Duong Hoa",
    "ocop_group": "beverages",
    "category": "tea",
    "stars": "4",
    "certificate_date": "2025-03-01",
    "standards": ["vietgap", "haccp"],
    "capacity_per_month": "800",
    "capacity_unit": "kg",
    "price_min": "250000",
    "price_max": "450000",
    "price_unit": "kg",
    "traceability_code": "QN-HH-0001",
}


def _card_names(page) -> list[str]:
    """The product names on the catalogue's cards, in order."""
    return [text_of(title) for title in page.select(".product-card .card-title")]


def _png(size=(64, 48), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, fmt)
    return buffer.getvalue()


def test_an_exhibitor_adds_a_product_and_its_certificate_runs_36_months(client, exhibitor, login, db):
    login(exhibitor)
    response = client.post("/my/products/new", data=PRODUCT_FORM)
    assert response.status_code == 302
    product = db.session.scalar(select(Product))
    assert product.organisation_id == exhibitor.organisation_id
    assert product.certificate_expiry == date(2028, 3, 1)
    assert product.standards == ["haccp", "vietgap"]
    assert product.price_min == 250_000


def test_a_certificate_from_the_31st_expires_at_the_end_of_a_shorter_month():
    assert services.default_expiry(date(2023, 5, 31)) == date(2026, 5, 31)
    assert services.default_expiry(date(2021, 2, 28)) == date(2024, 2, 28)
    assert services.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stars", "7", "Not a valid choice"),
        ("certificate_date", "2025-31-12", "Not a valid date value"),
        ("certificate_date", "2099-01-01", "in the future"),
        ("category", "seafood", "belongs to the group"),
        ("price_max", "1000", "lowest price is above the highest"),
        ("name_vi", "", "This field is required"),
    ],
)
def test_a_wrong_product_value_is_shown_next_to_its_field_and_nothing_saved(
    client, exhibitor, login, db, html, field, value, message
):
    login(exhibitor)
    client.get("/lang/en")
    response = client.post("/my/products/new", data=PRODUCT_FORM | {field: value})
    assert response.status_code == 200
    page = html(response)
    assert message in field_error(page, field)
    assert (
        page.find("input", attrs={"name": "name_en"})["value"] == "Duong Hoa green tea"
    )  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_an_expired_certificate_is_flagged_and_left_out_of_the_catalogue(client, make_product, db, html):
    valid = make_product(name_vi="Chả mực Hạ Long", category="seafood", ocop_group="food")
    expired = make_product(
        name_vi="Miến dong Bình Liêu",
        category="rice_noodles",
        ocop_group="food",
        certificate_date=clock.today() - timedelta(days=365 * 4),
    )
    make_product(name_vi="Mật ong Ba Chẽ", category="honey", ocop_group="food", stars=2)
    db.session.commit()
    assert expired.is_expired(clock.today()) and not expired.is_certified(clock.today())
    assert _card_names(html(client.get("/catalogue"))) == [valid.name_vi]  # not the expired, not 2 stars
    page = html(client.get(f"/products/{expired.id}?lang=en"))
    assert text_of(page.select_one("[data-certificate]")) == "Certificate expired"


def test_the_catalogue_filters_by_group_province_stars_and_standard(
    client, make_product, make_producer, db, html
):
    lang_son = make_producer(name="HTX Vịt quay Lạng Sơn", province_code="20")
    duck = make_product(
        organisation=lang_son,
        name_vi="Vịt quay Lạng Sơn",
        category="meat_products",
        ocop_group="food",
        stars=5,
        standards=["haccp"],
    )
    tea = make_product(name_vi="Trà hoa vàng Ba Chẽ", stars=3, standards=["organic"])
    db.session.commit()

    def names(**args):
        return _card_names(html(client.get("/catalogue", query_string=args)))

    assert sorted(names()) == sorted([duck.name_vi, tea.name_vi])
    assert names(group="food") == [duck.name_vi]
    assert names(province="20") == [duck.name_vi]
    assert names(stars="5") == [duck.name_vi]
    assert names(standard="organic") == [tea.name_vi]


def test_search_finds_products_by_any_of_the_three_names_with_or_without_accents(
    client, make_product, db, html
):
    product = make_product(
        name_vi="Vải thiều Lục Ngạn",
        name_en="Luc Ngan litchi",
        name_fr="Litchi de Luc Ngan",
        category="fresh_fruit",
        ocop_group="food",
    )
    other = make_product(name_vi="Hồng vành khuyên sấy gió", category="dried_fruit", ocop_group="food")
    db.session.commit()
    for query in ("vải thiều", "vai thieu", "litchi", "Litchi de", "LỤC NGẠN"):
        names = _card_names(html(client.get("/catalogue", query_string={"q": query, "lang": "vi"})))
        assert names == [product.name_vi], query  # and not the other
    assert other.name_vi in _card_names(html(client.get("/catalogue?lang=vi")))


def test_the_catalogue_is_paginated(client, make_product, make_producer, db, app, html):
    producer = make_producer()
    for n in range(app.config["PAGE_SIZE"] + 3):
        make_product(organisation=producer, name_vi=f"Sản phẩm {n:03d}", stars=4)
    db.session.commit()
    size = app.config["PAGE_SIZE"]
    first = _card_names(html(client.get("/catalogue?sort=name&lang=vi")))
    second = _card_names(html(client.get("/catalogue?sort=name&page=2&lang=vi")))
    assert first == [f"Sản phẩm {n:03d}" for n in range(size)]
    assert second == [f"Sản phẩm {n:03d}" for n in range(size, size + 3)]


def test_the_english_catalogue_shows_english_names_and_prices_in_vnd(client, make_product, db, html):
    make_product(name_vi="Chè Hải Hà", name_en="Hai Ha tea", price_min=250_000, price_max=250_000)
    db.session.commit()
    english = html(client.get("/catalogue?lang=en")).select_one(".product-card")
    vietnamese = html(client.get("/catalogue?lang=vi")).select_one(".product-card")
    assert text_of(english.select_one(".card-title")) == "Hai Ha tea"
    assert text_of(english.select_one("[data-price]")) == "₫250,000"
    assert text_of(vietnamese.select_one(".card-title")) == "Chè Hải Hà"
    assert text_of(vietnamese.select_one("[data-price]")) == "250.000 ₫"


def test_a_photo_is_re_encoded_and_served(client, exhibitor, login, make_product, db):
    product = make_product(organisation=exhibitor.organisation)
    db.session.commit()
    login(exhibitor)
    data = PRODUCT_FORM | {
        "name_vi": product.name_vi,
        "traceability_code": "",
        "photo": (io.BytesIO(_png(fmt="PNG")), "che.png"),
    }
    response = client.post(f"/my/products/{product.id}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    photo = client.get(f"/products/{product.id}/photo")
    assert photo.status_code == 200
    assert photo.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(photo.data)).format == "JPEG"


@pytest.mark.parametrize(
    ("payload", "filename", "message"),
    [
        (b"#!/bin/sh\necho not an image\n", "photo.jpg", "not an image"),
        (b"GIF89a" + b"\x00" * 40, "broken.gif", "not an image"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused(
    client, exhibitor, login, db, html, payload, filename, message
):
    login(exhibitor)
    client.get("/lang/en")
    data = PRODUCT_FORM | {"photo": (io.BytesIO(payload), filename)}
    response = client.post("/my/products/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert message in field_error(html(response), "photo")
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_an_oversized_photo_is_refused_and_the_product_not_saved(client, exhibitor, login, db, app, html):
    login(exhibitor)
    client.get("/lang/en")
    big = _png(size=(200, 200)) + b"\x00" * (app.config["MAX_PHOTO_BYTES"] + 1)
    data = PRODUCT_FORM | {"photo": (io.BytesIO(big), "huge.png")}
    response = client.post("/my/products/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "larger than" in field_error(html(response), "photo")
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_an_exhibitor_cannot_touch_another_producers_product_by_changing_the_id(
    client, exhibitor, login, make_product, db
):
    foreign = make_product(name_vi="Sá sùng Vân Đồn", category="seafood", ocop_group="food")
    db.session.commit()
    login(exhibitor)
    assert client.get(f"/my/products/{foreign.id}/edit").status_code == 403
    assert client.post(f"/my/products/{foreign.id}/edit", data=PRODUCT_FORM).status_code == 403
    assert client.get(f"/my/products/{foreign.id}/delete").status_code == 403
    assert client.post(f"/my/products/{foreign.id}/delete").status_code == 403
    db.session.expire_all()
    assert db.session.get(Product, foreign.id).name_vi == "Sá sùng Vân Đồn"


def test_deleting_a_product_asks_first_then_deletes(client, exhibitor, login, make_product, db, html):
    product_id = make_product(organisation=exhibitor.organisation).id
    login(exhibitor)
    confirm = client.get(f"/my/products/{product_id}/delete")
    assert confirm.status_code == 200
    form = html(confirm).select_one("main form[method=post]")  # a form posting back here, with its token
    assert form.get("action", "") == "" and form.select_one("input[name=csrf_token]")["value"]
    assert db.session.get(Product, product_id) is not None
    assert client.post(f"/my/products/{product_id}/delete").status_code == 302
    assert db.session.get(Product, product_id) is None


def test_an_exhibitor_edits_only_its_own_organisation(client, exhibitor, login, make_producer, db):
    other = make_producer(name="HTX Hồi Văn Quan", province_code="20")
    db.session.commit()
    login(exhibitor)
    response = client.post(
        "/my/organisation",
        data={
            "name": "HTX Chè Đường Hoa",
            "producer_kind": "cooperative",
            "province_code": "22",
            "tax_code": "5701234567",
            "commune": "Đường Hoa",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, exhibitor.organisation_id).tax_code == "5701234567"
    assert db.session.get(Organisation, other.id).name == "HTX Hồi Văn Quan"


def test_a_tax_code_taken_by_another_organisation_is_refused(
    client, exhibitor, login, make_producer, db, html
):
    make_producer(tax_code="5700000001")
    db.session.commit()
    login(exhibitor)
    client.get("/lang/en")
    response = client.post(
        "/my/organisation",
        data={
            "name": "HTX X",
            "producer_kind": "cooperative",
            "province_code": "22",
            "tax_code": "5700000001",
        },
    )
    assert response.status_code == 200
    assert "already has this tax code" in field_error(html(response), "tax_code")


DEMAND_FORM = {
    "category": "tea",
    "monthly_volume": "2000",
    "unit": "kg",
    "min_stars": "4",
    "standards": ["vietgap"],
    "provinces": ["22", "20"],
    "price_ceiling": "300000",
}


def test_a_buyer_keeps_demand_lines(client, buyer_user, login, db, html):
    login(buyer_user)
    assert client.post("/my/demand/new", data=DEMAND_FORM).status_code == 302
    line = db.session.scalar(select(DemandLine))
    assert line.required_standards == ["vietgap"]
    assert line.preferred_provinces == ["20", "22"]
    rows = html(client.get("/my/demand?lang=vi")).select("table tbody tr")
    assert len(rows) == 1
    provinces = text_of(rows[0].find_all("td")[4])  # the preferred provinces column
    assert sorted(provinces.split(", ")) == ["Lạng Sơn", "Quảng Ninh"]


def test_a_demand_line_with_zero_volume_is_refused(client, buyer_user, login, db):
    login(buyer_user)
    response = client.post("/my/demand/new", data=DEMAND_FORM | {"monthly_volume": "0"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(DemandLine)) == 0


def test_a_buyer_cannot_edit_or_delete_another_buyers_demand(
    client, buyer_user, login, make_buyer, make_user, db
):
    other_user = make_user(role="buyer", organisation=make_buyer(name="Khách sạn Mường Thanh"))
    db.session.commit()
    login(other_user)
    client.post("/my/demand/new", data=DEMAND_FORM)
    client.post("/logout")
    line = db.session.scalar(select(DemandLine))
    login(buyer_user)
    assert client.get(f"/my/demand/{line.id}/edit").status_code == 403
    assert (
        client.post(f"/my/demand/{line.id}/edit", data=DEMAND_FORM | {"monthly_volume": "1"}).status_code
        == 403
    )
    assert client.post(f"/my/demand/{line.id}/delete").status_code == 403
    db.session.expire_all()
    assert float(db.session.get(DemandLine, line.id).monthly_volume) == 2000


def test_a_buyers_page_is_for_logged_in_users_and_a_producers_page_is_public(
    client, make_buyer, make_producer, exhibitor, login, db, html
):
    buyer = make_buyer(name="Co.opmart Hạ Long")
    producer = make_producer(name="HTX Miến dong Bình Liêu")
    db.session.commit()
    assert client.get(f"/organisations/{producer.id}").status_code == 200
    assert client.get(f"/organisations/{buyer.id}").status_code == 302
    login(exhibitor)
    assert (
        text_of(html(client.get(f"/organisations/{buyer.id}")).select_one("main h1")) == "Co.opmart Hạ Long"
    )


def test_the_directory_lists_and_filters_organisations_for_organisers(
    client, organiser, login, make_buyer, make_producer, db, html
):
    make_buyer(name="WinMart Bắc Giang", province_code="24")
    make_producer(name="HTX Vải thiều Lục Ngạn", province_code="24")
    make_producer(name="HTX Chè Hải Hà", province_code="22")
    db.session.commit()
    login(organiser)

    def names(query):
        page = html(client.get(f"/organisations?{query}"))
        return sorted(text_of(row.find("td")) for row in page.select("table tbody tr"))

    assert names("province=24") == ["HTX Vải thiều Lục Ngạn", "WinMart Bắc Giang"]  # not the tea in 22
    assert names("role=buyer") == ["WinMart Bắc Giang"]


def test_a_website_must_be_a_web_address(client, exhibitor, login, db, html):
    login(exhibitor)
    response = client.post(
        "/my/organisation?lang=en",
        data={
            "name": "HTX X",
            "producer_kind": "cooperative",
            "province_code": "22",
            "website": "javascript:alert(1)//",
        },
    )
    assert response.status_code == 200
    assert "starting with https://" in field_error(html(response), "website")
    db.session.expire_all()
    assert db.session.get(Organisation, exhibitor.organisation_id).website is None


def test_contact_details_are_for_organisers_and_the_organisation_itself(
    client, make_producer, exhibitor, organiser, login, db, html
):
    other = make_producer(name="HTX Hồi Văn Quan", phone="0205 3812 345", email="hoi@vanquan.vn")
    db.session.commit()

    def page():
        return html(client.get(f"/organisations/{other.id}"))

    anonymous = page()
    assert "0205 3812 345" not in str(anonymous)  # not in the text, not in a tel: link
    assert anonymous.select_one("main dd a")["href"].startswith("/login")  # log in to see them
    login(exhibitor)
    assert "0205 3812 345" not in str(page())
    client.post("/logout")
    login(organiser)
    phone = page().select_one("main dd a[href^='tel:']")
    assert text_of(phone) == "0205 3812 345" and phone["href"] == "tel:0205 3812 345"


def test_a_replaced_photo_file_goes_only_when_the_change_is_saved(exhibitor, make_product, db, app):
    from pathlib import Path

    product = make_product(organisation=exhibitor.organisation)
    folder = Path(app.config["UPLOAD_FOLDER"]) / "products"
    first = services.store_product_photo(exhibitor, product, _png(), app.config["UPLOAD_FOLDER"], 10**6)
    db.session.commit()
    second = services.store_product_photo(exhibitor, product, _png(), app.config["UPLOAD_FOLDER"], 10**6)
    db.session.rollback()  # the request failed after the upload: the old photo must survive
    assert (folder / first).exists() and not (folder / second).exists()
    db.session.refresh(product)
    third = services.store_product_photo(exhibitor, product, _png(), app.config["UPLOAD_FOLDER"], 10**6)
    db.session.commit()
    assert (folder / third).exists() and not (folder / first).exists()
