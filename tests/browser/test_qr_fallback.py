"""In Chromium without BarcodeDetector: the phone apps read QR codes with jsQR (the npm package
the app serves). The camera is a canvas showing a badge's QR code (made with the qrcode library);
the lead app reads it into its code field, and the check-in app's decoder reads a QR image."""

from __future__ import annotations

import base64
import io
from datetime import UTC

import pytest
import qrcode

from app.onsite.badges.services import badge_token
from app.onsite.offline import JSQR
from tests.conftest import NOW
from tests.onsite.desk_support import running_fair

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DEVICE_TIME = NOW.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the pinned server clock's start

# No BarcodeDetector, and a camera that films a QR code drawn on a canvas.
FAKE_CAMERA = """
delete window.BarcodeDetector;
(function () {
  var source = window.__QR_IMAGE__;
  if (!navigator.mediaDevices) { return; }
  navigator.mediaDevices.getUserMedia = function () {
    return new Promise(function (resolve) {
      var image = new Image();
      image.onload = function () {
        var canvas = document.createElement("canvas");
        canvas.width = 480; canvas.height = 480;
        var context = canvas.getContext("2d");
        var draw = function () {
          context.fillStyle = "#fff";
          context.fillRect(0, 0, 480, 480);
          context.drawImage(image, 40, 40, 400, 400);
        };
        draw();
        setInterval(draw, 100);
        resolve(canvas.captureStream(10));
      };
      image.src = source;
    });
  };
})();
"""


def qr_data_url(text: str) -> str:
    image = qrcode.make(text, border=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def phone(browser, live_server):
    if not JSQR.is_file():
        pytest.fail("jsQR is not installed: run `npm ci` (make install does)")
    contexts = []

    def open_phone(qr_text: str):
        context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB")
        context.set_default_timeout(15_000)
        context.add_init_script(f"window.__QR_IMAGE__ = {qr_data_url(qr_text)!r};")
        context.add_init_script(FAKE_CAMERA)
        contexts.append(context)
        page = context.new_page()
        page.clock.set_fixed_time(DEVICE_TIME)
        return page

    yield open_phone
    for context in contexts:
        context.close()


def test_the_lead_app_reads_a_badge_with_jsqr_when_the_browser_has_no_barcode_detector(
    app, phone, db, make_event, make_user, make_buyer, make_producer, make_product
):
    fair = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    exhibitor = fair.producers[0][0]
    token = badge_token(fair.buyers[0][1])
    page = phone(token)
    sign_in(page, exhibitor.email)
    page.goto(f"/onsite/leads/{fair.event.id}/?lang=en")
    page.wait_for_selector("[data-leads-app][data-started]")
    assert page.evaluate("'BarcodeDetector' in window") is False
    assert page.evaluate("typeof window.jsQR") == "function"
    page.click("[data-camera]")
    page.wait_for_function(
        "(code) => document.querySelector('[data-code]').value === code", arg=token, timeout=20_000
    )
    assert page.locator("[data-video]").is_hidden()  # the camera stops once the code is read


def test_the_check_in_apps_decoder_reads_a_qr_image_with_jsqr(
    app, phone, db, make_event, make_user, make_buyer, make_producer, make_product
):
    fair = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    text = badge_token(fair.buyers[0][1])
    page = phone(text)
    sign_in(page, fair.organiser.email)
    page.goto("/onsite/app/?lang=en")
    page.wait_for_selector("[data-checkin-app][data-started]")
    assert page.locator("[data-camera]").is_visible()
    read = page.evaluate(
        """() => new Promise((resolve, reject) => {
             const image = new Image();
             image.onload = () => window.ocopfairQr.decode(image).then(resolve, reject);
             image.src = window.__QR_IMAGE__;
           })"""
    )
    assert read == text
    assert page.evaluate("window.ocopfairQr.decode(document.createElement('canvas'))") is None


def test_the_lead_app_takes_a_buyers_agenda_qr_for_the_exhibitors_own_meeting(
    monkeypatch, app, phone, db, make_event, make_user, make_buyer, make_producer, make_product
):
    from sqlalchemy import select

    from app.onsite.leads.models import Lead
    from app.urls import checkin_signature
    from tests.matching.test_agenda import add_meeting

    fair = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    exhibitor, exhibitor_registration = fair.producers[0]
    buyer = fair.buyers[0][1]
    # Checked in: an agenda QR names the visitor only for a meeting that took place.
    meeting = add_meeting(
        db, fair, buyer, exhibitor_registration, slot=0, table=1, status="held", checked_in_at=NOW
    )
    with app.test_request_context():
        sig = checkin_signature(fair.event.id, meeting.checkin_code)
    agenda_qr = (
        f"http://fair.example/manage/events/{fair.event.id}/checkin?code={meeting.checkin_code}&sig={sig}"
    )
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = phone(agenda_qr)
    sign_in(page, exhibitor.email)
    page.goto(f"/onsite/leads/{fair.event.id}/?lang=en")
    page.wait_for_selector("[data-leads-app][data-started]")
    page.click("[data-camera]")
    page.wait_for_function("(text) => document.querySelector('[data-code]').value === text", arg=agenda_qr)
    page.click("[data-lead-form] button[type=submit]")
    page.wait_for_selector("[data-answers] li[data-status=saved]")
    assert page.locator("[data-leads-app]").get_attribute("data-waiting") == "0"
    db.session.expire_all()
    lead = db.session.scalar(select(Lead))
    assert lead.visitor_registration_id == buyer.id
