"""The registration pages: producers apply, buyers register, organisers decide; each sees only its own."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.events import services
from app.events.models import Registration
from app.notifications.models import OutboxMessage
from tests.conftest import text_of


def _open(event, organiser):
    services.open_registration(organiser, event)


def _my_registrations(page) -> dict[str, str]:
    """Event name -> the status badge, from the "My registrations" table."""
    return {
        text_of(row.select_one("td a")): text_of(row.select_one("[data-status]"))
        for row in page.select("main table tbody tr")
    }


def test_an_exhibitor_applies_with_a_valid_product_and_an_expired_one_is_refused(
    client, organiser, exhibitor, login, make_event, make_product, db, html
):
    event = make_event(organiser=organiser)
    _open(event, organiser)
    good = make_product(organisation=exhibitor.organisation, name_vi="Chè Hải Hà", name_en=None)
    expired = make_product(
        organisation=exhibitor.organisation,
        name_vi="Miến dong Bình Liêu",
        name_en=None,
        category="rice_noodles",
        ocop_group="food",
        certificate_date=clock.today() - timedelta(days=36 * 31 - 10),
    )
    db.session.commit()
    login(exhibitor)
    page = html(client.get(f"/events/{event.slug}/apply?lang=en"))
    options = {int(box["value"]): box.find_parent("label") for box in page.select("input[name=items]")}
    assert set(options) == {good.id, expired.id}
    assert text_of(options[good.id]).startswith("Chè Hải Hà")
    assert text_of(options[expired.id]).startswith("Miến dong Bình Liêu")
    refused = client.post(f"/events/{event.slug}/apply?lang=en", data={"items": [str(expired.id)]})
    assert refused.status_code == 200
    assert "Miến dong Bình Liêu" in text_of(html(refused).select_one("#apply-error"))
    refused_page = html(refused)  # the boxes that can be ticked are marked, tied to the reason
    box = refused_page.find(id=f"item-{good.id}")
    assert box["aria-invalid"] == "true"
    assert "Miến dong Bình Liêu" in text_of(refused_page.find(id=box["aria-describedby"]))
    assert refused_page.select_one("#apply-error[data-error-summary] a")["href"] == f"#item-{good.id}"
    assert refused_page.find(id=f"item-{expired.id}").get("aria-invalid") is None  # disabled
    assert db.session.scalar(select(Registration)) is None
    accepted = client.post(
        f"/events/{event.slug}/apply", data={"items": [str(good.id)], "message": "Gian đôi"}
    )
    assert accepted.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration.status == "pending" and registration.message == "Gian đôi"
    mine = html(client.get("/my/registrations?lang=en"))
    assert _my_registrations(mine) == {event.name_en: "Pending"}


def test_the_organiser_approves_and_rejects_with_a_reason_and_mails_are_queued(
    client, organiser, make_user, make_producer, make_product, login, make_event, db, html
):
    event = make_event(organiser=organiser)
    _open(event, organiser)
    applicants = []
    for name in ("HTX Chè Đường Hoa", "HTX Vịt quay Lạng Sơn"):
        user = make_user(role="exhibitor", organisation=make_producer(name=name))
        product = make_product(organisation=user.organisation)
        applicants.append((user, product))
    db.session.commit()
    for user, product in applicants:
        login(user)
        client.post(f"/events/{event.slug}/apply", data={"items": [str(product.id)]})
        client.post("/logout")
    first, second = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    login(organiser)
    assert (
        client.post(
            f"/manage/events/{event.id}/registrations/decide",
            data={"ids": [str(first.id)], "action": "approve"},
        ).status_code
        == 302
    )
    no_reason = client.post(
        f"/manage/events/{event.id}/registrations/decide", data={"ids": [str(second.id)], "action": "reject"}
    )
    assert no_reason.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, second.id).status == "pending"
    client.post(
        f"/manage/events/{event.id}/registrations/decide",
        data={"ids": [str(second.id)], "action": "reject", "reason": "Sản phẩm trùng ngành hàng"},
    )
    db.session.expire_all()
    assert db.session.get(Registration, first.id).status == "approved"
    rejected = db.session.get(Registration, second.id)
    assert rejected.status == "rejected" and rejected.reason == "Sản phẩm trùng ngành hàng"
    kinds = {m.kind for m in db.session.scalars(select(OutboxMessage))}
    assert {"registration_received", "registration_approved", "registration_rejected"} <= kinds
    page = html(client.get(f"/manage/events/{event.id}/registrations?lang=en"))
    assert text_of(page.select_one("[data-figure=capacity]")) == "1 approved of 10 places"


def test_registration_pages_refuse_the_wrong_people(
    client, organiser, make_user, exhibitor, buyer_user, login, make_event, make_product, db, html
):
    event = make_event(organiser=organiser)
    _open(event, organiser)
    product = make_product(organisation=exhibitor.organisation)
    stranger = make_user(role="organiser")
    db.session.commit()
    login(exhibitor)
    client.post(f"/events/{event.slug}/apply", data={"items": [str(product.id)]})
    registration = db.session.scalar(select(Registration))
    assert client.get(f"/manage/events/{event.id}/registrations").status_code == 403
    assert (
        client.post(
            f"/manage/events/{event.id}/registrations/decide",
            data={"ids": [str(registration.id)], "action": "approve"},
        ).status_code
        == 403
    )
    client.post("/logout")
    login(buyer_user)
    theirs = html(client.get("/my/registrations"))
    assert _my_registrations(theirs) == {} and event.name_vi not in theirs.get_text()
    assert client.get(f"/my/registrations/{registration.id}/withdraw").status_code == 403
    assert client.post(f"/my/registrations/{registration.id}/withdraw").status_code == 403
    client.post("/logout")
    login(stranger)
    assert client.get(f"/manage/events/{event.id}/registrations").status_code == 403
    assert client.get(f"/events/{event.slug}/apply").status_code == 403
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == "pending"
