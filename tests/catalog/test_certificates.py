"""OCOP certificates: a product counts as certified only once an organiser has checked its
certificate; a rejected or expired one leaves the catalogue and keeps it out of events."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app import clock
from app.catalog import services
from app.catalog.certificates import services as certificates
from app.catalog.models import Product
from app.errors import PermissionDenied, ServiceError
from app.notifications.models import OutboxMessage
from tests.conftest import queries_of, text_of
from tests.pages import field_error, flashes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _form(**overrides) -> dict:
    return {
        "certificate_number": "1234/QĐ-UBND",
        "stars": "4",
        "certificate_level": "province",
        "certificate_date": (clock.today() - timedelta(days=30)).isoformat(),
        "file": (io.BytesIO(PDF), "chung-nhan.pdf"),
    } | overrides


def _in_catalogue(client, html, name: str) -> bool:
    page = html(client.get("/catalogue?lang=en"))
    return name in [text_of(title) for title in page.select(".product-card .card-title")]


def _submit(actor, product, app, data=PDF, **overrides):
    values = {
        "data": data,
        "number": "56/QĐ-UBND",
        "stars": 4,
        "level": "province",
        "issued_on": clock.today() - timedelta(days=10),
        "upload_folder": app.config["UPLOAD_FOLDER"],
        "max_bytes": app.config["MAX_PHOTO_BYTES"],
    } | overrides
    return certificates.submit_certificate(actor, product, **values)


# ---------------------------------------------------------------- services


def test_an_uploaded_certificate_waits_in_the_queue_and_the_product_is_not_certified(
    app, db, exhibitor, make_product
):
    product = make_product(exhibitor.organisation, certificate_status="missing")
    with app.test_request_context():
        _submit(exhibitor, product, app)
    assert product.certificate_status == "pending"
    assert product.certificate_number == "56/QĐ-UBND"
    assert product.certificate_expiry == services.default_expiry(product.certificate_date)  # 36 months
    assert not product.is_certified(clock.today())
    assert list(db.session.scalars(certificates.pending_query())) == [product]


def test_the_queue_lists_the_oldest_certificate_first(app, db, exhibitor, make_product, pinned_clock):
    newer = make_product(exhibitor.organisation, certificate_status="missing")
    older = make_product(exhibitor.organisation, certificate_status="missing")
    with app.test_request_context():
        _submit(exhibitor, older, app)
        pinned_clock.shift(timedelta(minutes=5))
        _submit(exhibitor, newer, app)
    assert list(db.session.scalars(certificates.pending_query())) == [older, newer]


def test_an_organiser_verifies_and_the_product_is_certified_with_who_and_when(
    app, db, exhibitor, organiser, make_product
):
    product = make_product(exhibitor.organisation, certificate_status="pending")
    with app.test_request_context():
        certificates.verify_certificate(organiser, product)
    assert product.is_certified(clock.today())
    assert product.certificate_reviewed_by == organiser
    assert product.certificate_reviewed_at is not None
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "certificate_verified"))
    assert mail.to_address == exhibitor.email


@pytest.mark.parametrize("status", ["missing", "rejected"])
def test_only_a_certificate_waiting_to_be_checked_can_be_verified(app, db, organiser, make_product, status):
    """Nothing new was sent: a missing or rejected certificate is not verified by a stray POST."""
    product = make_product(certificate_status=status)
    with app.test_request_context(), pytest.raises(ServiceError):
        certificates.verify_certificate(organiser, product)
    assert product.certificate_status == status


def test_the_queue_page_costs_the_same_statements_for_one_or_twenty_certificates(
    client, organiser, login, make_product, make_producer
):
    make_product(make_producer(), certificate_status="pending")
    login(organiser)
    one = queries_of(client, "/certificates")
    for _ in range(19):
        make_product(make_producer(), certificate_status="pending")  # each from its own producer
    assert queries_of(client, "/certificates") == one


def test_an_exhibitor_cannot_verify_even_its_own_certificate(app, db, exhibitor, make_product):
    product = make_product(exhibitor.organisation, certificate_status="pending")
    with app.test_request_context(), pytest.raises(PermissionDenied):
        certificates.verify_certificate(exhibitor, product)
    assert product.certificate_status == "pending"


def test_a_rejection_needs_a_reason_and_mails_it_to_the_producer(app, db, exhibitor, organiser, make_product):
    product = make_product(exhibitor.organisation, certificate_status="pending")
    with app.test_request_context():
        with pytest.raises(ServiceError):
            certificates.reject_certificate(organiser, product, "   ")
        certificates.reject_certificate(organiser, product, "Số quyết định không có trong danh sách của tỉnh")
    assert product.certificate_status == "rejected"
    assert not product.is_certified(clock.today())
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "certificate_rejected"))
    assert "Số quyết định không có trong danh sách của tỉnh" in mail.body


@pytest.mark.parametrize(
    ("field", "value"),
    [("stars", 5), ("certificate_number", "99/QĐ-UBND"), ("certificate_level", "national")],
)
def test_changing_a_verified_certificates_facts_sends_it_back_to_pending(
    app, db, exhibitor, make_product, field, value
):
    product = make_product(exhibitor.organisation)
    assert product.certificate_status == "verified"
    with app.test_request_context():
        services.update_product(exhibitor, product, **{field: value})
    assert product.certificate_status == "pending"
    assert product.certificate_reviewed_at is None
    assert not product.is_certified(clock.today())


def test_changing_other_fields_keeps_the_certificate_verified(app, db, exhibitor, make_product):
    product = make_product(exhibitor.organisation)
    with app.test_request_context():
        services.update_product(exhibitor, product, price_min=100_000, stars=product.stars)
    assert product.certificate_status == "verified"


def test_another_producer_cannot_upload_a_certificate_for_your_product(
    app, db, exhibitor, make_producer, make_user, make_product
):
    product = make_product(exhibitor.organisation, certificate_status="missing")
    stranger = make_user(role="exhibitor", organisation=make_producer())
    with app.test_request_context(), pytest.raises(PermissionDenied):
        _submit(stranger, product, app)
    assert product.certificate_status == "missing"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"#!/bin/sh\necho hi\n", "Upload a PDF file or a JPEG"),
        (b"%PDF-1.4\n1 0 obj<<>>", "incomplete or damaged"),
        (b"", "Choose the certificate"),
    ],
)
def test_a_file_that_is_not_a_pdf_or_image_is_refused(app, db, exhibitor, make_product, data, message):
    product = make_product(exhibitor.organisation, certificate_status="missing")
    with app.test_request_context("/?lang=en"), pytest.raises(ServiceError) as refused:
        _submit(exhibitor, product, app, data=data)
    assert message in str(refused.value.message)
    assert refused.value.field == "file"


def test_an_image_certificate_is_re_encoded_as_jpeg(app, db, exhibitor, make_product):
    product = make_product(exhibitor.organisation, certificate_status="missing")
    with app.test_request_context():
        _submit(exhibitor, product, app, data=_png())
    path = certificates.certificate_path(product, app.config["UPLOAD_FOLDER"])
    assert path.suffix == ".jpg"
    assert Image.open(path).format == "JPEG"


# ---------------------------------------------------------------- catalogue and events


def test_only_verified_valid_certificates_are_in_the_catalogue(client, db, make_product, html):
    make_product(name_vi="Chè đã kiểm", name_en="Checked tea")
    make_product(name_vi="Chè tự khai", name_en="Declared tea", certificate_status="missing")
    make_product(name_vi="Chè chờ", name_en="Waiting tea", certificate_status="pending")
    make_product(name_vi="Chè bị từ chối", name_en="Rejected tea", certificate_status="rejected")
    make_product(
        name_vi="Chè hết hạn",
        name_en="Expired tea",
        certificate_date=clock.today() - timedelta(days=1200),
        certificate_expiry=clock.today() - timedelta(days=1),
    )
    page = html(client.get("/catalogue?lang=en"))
    assert [text_of(title) for title in page.select(".product-card .card-title")] == ["Checked tea"]


def test_a_product_is_found_by_typing_its_13_digit_gtin(client, db, make_product, html):
    make_product(name_vi="Chè có mã", name_en="Barcoded tea", gtin="8934588012112")
    make_product(name_vi="Chè khác", name_en="Other tea")
    page = html(client.get("/catalogue?lang=en&q=8934588012112"))
    assert [text_of(title) for title in page.select(".product-card .card-title")] == ["Barcoded tea"]


def test_a_rejected_certificate_blocks_an_event_application_with_its_reason(
    app, db, exhibitor, make_product, make_open_event
):
    from app.events.registrations import services as registrations

    event = make_open_event()
    product = make_product(exhibitor.organisation, name_en="Rejected tea", certificate_status="rejected")
    pending = make_product(exhibitor.organisation, name_en="Waiting tea", certificate_status="pending")
    with app.test_request_context("/?lang=en"):
        assert "Số giấy chứng nhận không khớp" in str(registrations.product_problem(product, event, "en"))
        assert "not been verified" in str(registrations.product_problem(pending, event, "en"))
        with pytest.raises(ServiceError):
            registrations.apply_as_exhibitor(exhibitor, event, [product.id], now=clock.now())


def test_an_invalid_gtin_is_refused_next_to_its_field(client, exhibitor, login, make_product, html):
    product = make_product(exhibitor.organisation)
    login(exhibitor)
    page = html(client.get(f"/my/products/{product.id}/edit?lang=en"))
    data = {field["name"]: field.get("value", "") for field in page.select("form input[name]")}
    data |= {"gtin": "8934588012113", "ocop_group": product.ocop_group, "category": product.category}
    data |= {"stars": str(product.stars)}
    response = client.post(f"/my/products/{product.id}/edit", data=data)
    assert response.status_code == 200
    assert "check digit" in field_error(html(response), "gtin")


# ---------------------------------------------------------------- pages and who may use them


def test_the_exhibitor_uploads_through_the_page_and_sees_it_waiting(
    client, exhibitor, login, make_product, html
):
    product = make_product(exhibitor.organisation, name_en="Uploaded tea", certificate_status="missing")
    login(exhibitor)
    client.get("/lang/en")
    response = client.post(f"/my/products/{product.id}/certificate", data=_form(), follow_redirects=True)
    page = html(response)
    assert any("An organiser will check it" in text for text in flashes(page))
    assert page.select_one('[data-certificate="pending"]') is not None
    assert not _in_catalogue(client, html, "Uploaded tea")


def test_another_exhibitor_is_refused_the_upload_page_and_the_scan(
    client, exhibitor, login, make_producer, make_user, make_product, app
):
    product = make_product(exhibitor.organisation, certificate_status="missing")
    with app.test_request_context():
        _submit(exhibitor, product, app)
    stranger = make_user(role="exhibitor", organisation=make_producer())
    login(stranger)
    assert client.get(f"/my/products/{product.id}/certificate").status_code == 403
    assert client.post(f"/my/products/{product.id}/certificate", data=_form()).status_code == 403
    assert client.get(f"/products/{product.id}/certificate/file").status_code == 404


def test_the_owner_and_organisers_open_the_scan(client, exhibitor, organiser, login, make_product, app):
    product = make_product(exhibitor.organisation, certificate_status="missing")
    with app.test_request_context():
        _submit(exhibitor, product, app)
    login(exhibitor)
    response = client.get(f"/products/{product.id}/certificate/file")
    assert response.status_code == 200 and response.data == PDF
    client.post("/logout")
    login(organiser)
    assert client.get(f"/products/{product.id}/certificate/file").status_code == 200


@pytest.mark.parametrize("role", ["visitor", "exhibitor", "buyer"])
def test_only_organisers_and_admins_open_the_queue_or_decide(
    client, login, make_user, make_producer, make_product, role
):
    product = make_product(certificate_status="pending")
    if role != "visitor":
        organisation = make_producer() if role == "exhibitor" else None
        login(make_user(role=role, organisation=organisation))
    expected = (302,) if role == "visitor" else (403,)
    assert client.get("/certificates").status_code in expected
    assert client.post(f"/certificates/{product.id}/verify").status_code in expected
    assert client.post(f"/certificates/{product.id}/reject", data={"reason": "x"}).status_code in expected
    assert db_status(product) == "pending"


def db_status(product) -> str:
    from app.extensions import db

    return db.session.scalar(select(Product.certificate_status).where(Product.id == product.id))


def test_the_queue_pages_twenty_at_a_time_oldest_first(
    client, organiser, login, make_product, html, pinned_clock
):
    ids = []
    for _ in range(21):
        ids.append(make_product(certificate_status="pending").id)
        pinned_clock.shift(timedelta(minutes=1))
    login(organiser)
    first = html(client.get("/certificates?lang=en"))
    rows = [int(row["data-product-id"]) for row in first.select("tr[data-product-id]")]
    assert rows == ids[:20]
    second = html(client.get("/certificates?page=2"))
    assert [int(row["data-product-id"]) for row in second.select("tr[data-product-id]")] == ids[20:]


def test_an_organiser_verifies_and_rejects_from_the_queue(
    client, organiser, login, make_product, html, exhibitor
):
    good = make_product(exhibitor.organisation, name_en="Good tea", certificate_status="pending")
    bad = make_product(exhibitor.organisation, name_en="Bad tea", certificate_status="pending")
    login(organiser)
    client.get("/lang/en")
    assert client.post(f"/certificates/{good.id}/verify").status_code == 302
    response = client.post(f"/certificates/{bad.id}/reject", data={"reason": ""})
    assert "required" in field_error(html(response), "reason")
    client.post(f"/certificates/{bad.id}/reject", data={"reason": "Ảnh mờ, không đọc được số"})
    assert db_status(good) == "verified" and db_status(bad) == "rejected"
    page = html(client.get(f"/products/{good.id}"))
    assert organiser.full_name in text_of(page.select_one('[data-certificate-check="verified"]'))
    client.post("/logout")
    assert _in_catalogue(client, html, "Good tea") and not _in_catalogue(client, html, "Bad tea")
    login(exhibitor)
    mine = html(client.get("/my/products"))
    assert "Ảnh mờ, không đọc được số" in " ".join(
        text_of(p) for p in mine.select("[data-certificate-problem]")
    )


def test_deleting_a_product_removes_its_certificate_scan(client, exhibitor, login, make_product, app):
    product = make_product(exhibitor.organisation, certificate_status="missing")
    with app.test_request_context():
        _submit(exhibitor, product, app)
    path = certificates.certificate_path(product, app.config["UPLOAD_FOLDER"])
    assert path.is_file()
    login(exhibitor)
    assert client.post(f"/my/products/{product.id}/delete").status_code == 302
    assert not path.exists()


def test_organisers_reach_the_queue_from_the_menu_and_exhibitors_do_not_see_it(
    client, login, organiser, exhibitor, html
):
    login(organiser)
    links = [a["href"] for a in html(client.get("/events/?lang=en")).select("nav a.nav-link")]
    assert "/certificates" in links
    client.post("/logout")
    login(exhibitor)
    links = [a["href"] for a in html(client.get("/my/products?lang=en")).select("nav a.nav-link")]
    assert "/certificates" not in links


def test_an_organiser_revokes_a_verified_certificate_with_a_reason_mailed_to_the_producer(
    app, db, exhibitor, organiser, make_product
):
    product = make_product(exhibitor.organisation)
    assert product.is_certified(clock.today())
    with app.test_request_context():
        with pytest.raises(ServiceError):
            certificates.reject_certificate(organiser, product, "")
        certificates.reject_certificate(organiser, product, "Quyết định đã bị tỉnh thu hồi")
    assert product.certificate_status == "rejected"
    assert product.certificate_reviewed_by_id == organiser.id
    assert not product.is_certified(clock.today())
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "certificate_revoked"))
    assert mail.to_address == exhibitor.email
    assert "Quyết định đã bị tỉnh thu hồi" in mail.body


def test_a_certificate_already_rejected_or_never_sent_cannot_be_rejected_again(
    app, db, organiser, make_product
):
    for status in ("rejected", "missing"):
        product = make_product(certificate_status=status)
        with app.test_request_context(), pytest.raises(ServiceError):
            certificates.reject_certificate(organiser, product, "Lý do")


def test_an_organiser_revokes_from_the_product_page_and_it_leaves_the_catalogue(
    client, organiser, login, make_product, html, exhibitor
):
    product = make_product(exhibitor.organisation, name_en="Revoked tea")
    assert _in_catalogue(client, html, "Revoked tea")
    login(organiser)
    client.get("/lang/en")
    page = html(client.get(f"/products/{product.id}"))
    link = page.select_one("[data-revoke-certificate]")
    assert text_of(link) == "Revoke the certificate…"
    assert link["href"] == f"/certificates/{product.id}/reject"
    form = html(client.get(link["href"]))
    assert text_of(form.select_one("h1")).startswith("Revoke the verified certificate")
    response = client.post(link["href"], data={"reason": "Giấy chứng nhận giả"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/products/{product.id}")
    assert db_status(product) == "rejected"
    after = html(client.get(f"/products/{product.id}"))
    assert after.select_one("[data-revoke-certificate]") is None
    client.post("/logout")
    assert not _in_catalogue(client, html, "Revoked tea")


@pytest.mark.parametrize("role", ["visitor", "exhibitor", "buyer"])
def test_only_organisers_and_admins_may_revoke_a_verified_certificate(
    client, login, make_user, make_producer, make_product, html, role
):
    product = make_product()
    if role != "visitor":
        organisation = product.organisation if role == "exhibitor" else None
        login(make_user(role=role, organisation=organisation))
    expected = (302,) if role == "visitor" else (403,)
    assert client.get(f"/certificates/{product.id}/reject").status_code in expected
    assert client.post(f"/certificates/{product.id}/reject", data={"reason": "x"}).status_code in expected
    assert db_status(product) == "verified"
    assert html(client.get(f"/products/{product.id}")).select_one("[data-revoke-certificate]") is None


def test_an_admin_sees_the_revoke_action_only_on_a_verified_certificate(
    client, login, make_user, make_product, html
):
    verified = make_product()
    pending = make_product(certificate_status="pending")
    login(make_user(role="admin"))
    assert html(client.get(f"/products/{verified.id}")).select_one("[data-revoke-certificate]") is not None
    assert html(client.get(f"/products/{pending.id}")).select_one("[data-revoke-certificate]") is None
