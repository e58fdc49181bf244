"""The public catalogue over the API: certified products with their OCOP facts and names in
three languages, filtered and sorted as the page; a product's certificate status; producers
for anyone, buyers for users, contacts for organisers and the organisation's own users."""

from __future__ import annotations

from tests.api.conftest import bearer


def test_the_catalogue_lists_certified_products_only(client, make_product, db):
    certified = make_product(name_fr="Thé vert", stars=5)
    make_product(certificate_status="pending")
    make_product(certificate_status="rejected")
    body = client.get("/api/v1/products").get_json()
    assert [p["id"] for p in body["items"]] == [certified.id]
    item = body["items"][0]
    assert item["name"] == {"vi": certified.name_vi, "en": certified.name_en, "fr": "Thé vert"}
    assert item["stars"] == 5 and item["ocop_group"] == "beverages" and item["standards"] == ["vietgap"]
    assert item["certificate"]["status"] == "verified" and item["certificate"]["valid_today"] is True
    assert item["price_min"] == 250_000 and item["producer"]["id"] == certified.organisation_id


def test_filters_and_sorting(client, make_product, db):
    four = make_product(stars=4, name_vi="Bánh đậu xanh")
    five = make_product(stars=5, name_vi="Mật ong rừng")
    assert [p["id"] for p in client.get("/api/v1/products").get_json()["items"]] == [five.id, four.id]
    assert [p["id"] for p in client.get("/api/v1/products?sort=name").get_json()["items"]] == [
        four.id,
        five.id,
    ]
    assert [p["id"] for p in client.get("/api/v1/products?min_stars=5").get_json()["items"]] == [five.id]
    assert client.get("/api/v1/products?group=food").get_json()["total"] == 0
    assert client.get("/api/v1/products?q=m%E1%BA%ADt%20ong").get_json()["total"] == 1


def test_a_product_says_its_certificate_status(client, make_product, db):
    pending = make_product(certificate_status="pending")
    body = client.get(f"/api/v1/products/{pending.id}").get_json()
    assert body["certificate"]["status"] == "pending" and body["certificate"]["valid_today"] is False
    assert client.get("/api/v1/products/2147483647").status_code == 404


def test_organisations_as_the_pages_show_them(
    client, make_product, make_buyer, make_user, make_token, exhibitor, organiser, db
):
    product = make_product(organisation=exhibitor.organisation)
    producer = client.get(f"/api/v1/organisations/{product.organisation_id}").get_json()
    assert producer["product_ids"] == [product.id] and producer["contacts"] is None
    own = client.get(
        f"/api/v1/organisations/{product.organisation_id}", headers=bearer(make_token(exhibitor))
    )
    assert own.get_json()["contacts"] is not None
    seen_by_organiser = client.get(
        f"/api/v1/organisations/{product.organisation_id}", headers=bearer(make_token(organiser))
    )
    assert seen_by_organiser.get_json()["contacts"] is not None

    buyer = make_buyer()
    assert client.get(f"/api/v1/organisations/{buyer.id}").status_code == 401
    seen_by_exhibitor = client.get(f"/api/v1/organisations/{buyer.id}", headers=bearer(make_token(exhibitor)))
    assert seen_by_exhibitor.status_code == 200 and seen_by_exhibitor.get_json()["contacts"] is None


def test_the_catalogue_s_queries_do_not_grow_with_the_products(client, make_product, db):
    from tests.conftest import queries_of

    make_product()
    few = queries_of(client, "/api/v1/products")
    for _ in range(8):
        make_product()
    assert queries_of(client, "/api/v1/products") == few
