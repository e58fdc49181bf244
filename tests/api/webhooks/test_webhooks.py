"""Webhooks: a delivery is written in the action's own transaction, sent by the task queue as a
signed POST (received here by a real HTTP server on a loopback port), retried with back-off,
logged, sent again on request; a webhook that keeps failing is paused and its owner mailed.
The pages are for the event's organisers and admins only."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app import clock
from app.api.webhooks import services as hooks
from app.api.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from app.booths.booking import services as booking
from app.errors import PermissionDenied, ServiceError
from app.events.registrations import services as reg
from app.notifications.models import OutboxMessage
from app.transaction import transaction
from tests.booths.conftest import Fair
from tests.conftest import NOW


class Receiver:
    """An HTTP server in a thread on 127.0.0.1 that records each POST and answers `status`."""

    def __init__(self):
        self.status = 200
        self.answer = b"ok"
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture()
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture()
def fair(db, organiser, make_producer, make_user, make_product, make_open_event):
    return Fair(db, organiser, make_producer, make_user, make_product, make_open_event)


def applicant(fair):
    organisation = fair._make_producer()
    user = fair._make_user(role="exhibitor", organisation=organisation)
    product = fair._make_product(organisation, ocop_group="beverages", category="tea", stars=4)
    return reg.apply_as_exhibitor(user, fair.event, [product.id], now=NOW)


def subscribe(fair, url, types=("registration.created", "registration.approved", "registration.rejected")):
    return hooks.create_subscription(fair.organiser, fair.event, url, list(types))


def deliveries(db) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def expected_signature(secret: str, header: str, body: bytes) -> bool:
    """Checked as a receiver would, without the app's code: HMAC-SHA256 of "<t>.<body>"."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    mac = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, fields["v1"]) and abs(int(fields["t"]) - clock.now().timestamp()) < 60


# ---------------------------------------------------------------- receiving, signed


def test_an_approval_on_the_page_reaches_a_loopback_server_signed_through_the_queue(
    db, client, login, fair, receiver, worker
):
    subscription, secret = subscribe(fair, receiver.url)
    registration = applicant(fair)  # registration.created, written with the registration
    login(fair.organiser)
    response = client.post(
        f"/manage/events/{fair.event.id}/registrations/decide",
        data={"ids": [registration.id], "action": "approve"},
    )
    assert response.status_code == 302
    # The page committed, then put the sender on the queue; the worker runs it.
    assert ("mail", "ocopfair.call", [hooks.SEND_DUE]) in worker.pending()
    worker.drain()
    hooks.send_due()  # the created one, written by the test's own commit, is due too
    assert len(receiver.requests) == 2
    types = []
    for headers, body in receiver.requests:
        assert headers["content-type"] == "application/json"
        assert expected_signature(secret, headers["ocopfair-signature"], body)
        assert hooks.verify(secret, headers["ocopfair-signature"], body, now=int(clock.now().timestamp()))
        assert not hooks.verify(
            "whsec_other", headers["ocopfair-signature"], body, now=int(clock.now().timestamp())
        )
        assert not hooks.verify(
            secret, headers["ocopfair-signature"], body + b" ", now=int(clock.now().timestamp())
        )
        payload = json.loads(body)
        assert set(payload) == {"id", "type", "created_at", "event_id", "data"}
        assert payload["event_id"] == fair.event.id
        assert payload["id"] == headers["ocopfair-delivery"]
        assert payload["data"]["registration"]["id"] == registration.id
        types.append((payload["type"], payload["data"]["registration"]["status"]))
    assert sorted(types) == [("registration.approved", "approved"), ("registration.created", "pending")]
    assert [d.status for d in deliveries(db)] == ["delivered", "delivered"]
    attempts = list(db.session.scalars(select(WebhookAttempt)))
    assert [(a.status_code, a.response_excerpt) for a in attempts] == [(200, "ok"), (200, "ok")]
    assert all(a.duration_ms >= 0 for a in attempts)
    assert db.session.get(WebhookSubscription, subscription.id).failed_in_row == 0


def test_only_the_chosen_types_of_active_subscriptions_of_the_event_get_deliveries(db, fair, make_open_event):
    approved_only, _ = subscribe(fair, "http://127.0.0.1:9/a", ["registration.approved"])
    paused, _ = subscribe(fair, "http://127.0.0.1:9/b")
    hooks.set_active(fair.organiser, paused, False)
    other_event = make_open_event(fair.organiser)
    hooks.create_subscription(fair.organiser, other_event, "http://127.0.0.1:9/c", ["registration.created"])
    registration = applicant(fair)
    assert deliveries(db) == []
    reg.approve(fair.organiser, registration, now=NOW)
    [delivery] = deliveries(db)
    assert (delivery.subscription_id, delivery.event_type) == (approved_only.id, "registration.approved")


def test_rejection_and_booth_assignment_carry_their_facts(db, fair):
    subscribe(fair, "http://127.0.0.1:9/a", ["registration.rejected", "booth.assigned"])
    reg.reject(fair.organiser, applicant(fair), "Thiếu giấy chứng nhận", now=NOW)
    fair.first_come()
    booth = fair.add_booths(1)[0]
    user, registration = fair.exhibitor()
    booking.pick_booth(user, registration, booth)
    rejected, assigned = (json.loads(d.body) for d in deliveries(db))
    assert rejected["type"] == "registration.rejected"
    assert rejected["data"]["registration"]["reason"] == "Thiếu giấy chứng nhận"
    assert assigned["type"] == "booth.assigned"
    assert assigned["data"]["assignment"] | {"id": None} == {
        "id": None,
        "how": "picked",
        "booth_id": booth.id,
        "booth_code": booth.code,
        "registration_id": registration.id,
        "organisation_name": registration.organisation.name,
        "status": "allocated",
        "payment": "due",
    }


# ---------------------------------------------------------------- the outbox: one transaction


def test_an_action_that_rolls_back_leaves_no_delivery_and_enqueues_nothing(db, fair, worker):
    subscribe(fair, "http://127.0.0.1:9/a")
    registration = applicant(fair)
    with transaction():
        pass  # the set-up saved (its created delivery too)
    worker.purge()
    before = len(deliveries(db))
    with pytest.raises(RuntimeError), transaction():
        reg.approve(fair.organiser, registration, now=NOW)
        assert len(deliveries(db)) == before + 1  # written in the action's transaction
        raise RuntimeError("the request failed after the approval")
    assert len(deliveries(db)) == before
    assert db.session.get(type(registration), registration.id).status == "pending"
    assert worker.pending() == []
    # A refused action (ServiceError before anything changed) writes none either.
    with pytest.raises(ServiceError):
        reg.reject(fair.organiser, registration, "   ", now=NOW)
    assert len(deliveries(db)) == before


# ---------------------------------------------------------------- retries, back-off, pausing


def test_a_failing_endpoint_is_retried_with_back_off_then_paused_and_its_owner_mailed(
    db, fair, receiver, pinned_clock
):
    receiver.status, receiver.answer = 500, b"boom " * 200
    subscription, _ = subscribe(fair, receiver.url, ["registration.created"])
    for _ in range(hooks.PAUSE_AFTER_FAILED):
        applicant(fair)
    db.session.commit()
    waits = []
    for attempt in range(1, hooks.MAX_ATTEMPTS + 1):
        started = clock.now()
        assert hooks.send_due() == {"delivered": 0, "failed": hooks.PAUSE_AFTER_FAILED}
        assert hooks.send_due() == {"delivered": 0, "failed": 0}  # not due again yet
        rows = deliveries(db)
        assert {d.attempts for d in rows} == {attempt}
        if attempt < hooks.MAX_ATTEMPTS:
            assert {d.status for d in rows} == {"pending"}
            wait = min(d.next_attempt_at for d in rows) - started
            waits.append(round(wait.total_seconds() / 60))
            pinned_clock.move_to(max(d.next_attempt_at for d in rows) + timedelta(seconds=1))
    assert waits == [1, 5, 30, 120, 720]
    assert len(receiver.requests) == hooks.PAUSE_AFTER_FAILED * hooks.MAX_ATTEMPTS
    assert {d.status for d in deliveries(db)} == {"failed"}
    attempt = db.session.scalars(select(WebhookAttempt)).first()
    assert attempt.status_code == 500
    assert attempt.response_excerpt.startswith("boom boom") and len(attempt.response_excerpt) == 300
    subscription = db.session.get(WebhookSubscription, subscription.id)
    assert (subscription.active, subscription.paused_reason) == (False, "failing")
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook_paused"))
    assert mail.to_address == fair.organiser.email
    assert receiver.url in mail.body and f"/manage/events/{fair.event.id}/webhooks" in mail.body
    # Paused: a new action writes nothing, and nothing is sent.
    applicant(fair)
    assert len(deliveries(db)) == hooks.PAUSE_AFTER_FAILED
    pinned_clock.shift(timedelta(days=1))
    assert hooks.send_due() == {"delivered": 0, "failed": 0}


def test_failures_for_a_day_pause_even_without_three_deliveries_given_up(db, fair, pinned_clock):
    subscription, _ = subscribe(fair, "http://127.0.0.1:9/refused", ["registration.created"])
    applicant(fair)
    db.session.commit()
    first = clock.now()
    for _ in range(hooks.MAX_ATTEMPTS):
        hooks.send_due()
        pinned_clock.move_to(deliveries(db)[0].next_attempt_at + timedelta(seconds=1))
    assert deliveries(db)[0].status == "failed"
    assert db.session.get(WebhookSubscription, subscription.id).active  # one given up in 14.6 h: not yet
    pinned_clock.move_to(first + hooks.PAUSE_AFTER_FAILING)
    attempt = db.session.scalars(select(WebhookAttempt)).first()
    assert attempt.status_code is None and "Connection" in attempt.error
    applicant(fair)
    db.session.commit()
    hooks.send_due()  # a failure more than 24 h after the first one
    assert db.session.get(WebhookSubscription, subscription.id).paused_reason == "failing"


# ---------------------------------------------------------------- the pages


def test_adding_a_webhook_shows_its_secret_once_and_lists_it(db, client, login, fair, html):
    login(fair.organiser)
    page = f"/manage/events/{fair.event.id}/webhooks"
    assert html(client.get(page)).select_one("#no-subscriptions") is not None
    response = client.post(
        page,
        data={"url": "http://127.0.0.1:8080/in", "event_types": ["registration.created", "outcome.recorded"]},
    )
    assert response.status_code == 200
    subscription = db.session.scalars(select(WebhookSubscription)).one()
    assert html(response).select_one("#secret")["value"] == subscription.secret
    assert subscription.types == ["registration.created", "outcome.recorded"]
    listing = client.get(page)
    assert subscription.secret not in listing.get_data(as_text=True)
    row = html(listing).select_one(f"tr[data-subscription='{subscription.id}']")
    assert "registration.created" in row.get_text() and row.select_one("form[data-confirm]") is not None


@pytest.mark.parametrize(
    ("url", "types", "field"),
    [
        ("ftp://127.0.0.1/x", ["registration.created"], "url"),
        ("http://10.1.2.3/x", ["registration.created"], "url"),
        ("not a url", ["registration.created"], "url"),
        ("http://127.0.0.1:99999/x", ["registration.created"], "url"),
        ("http://127.0.0.1/x", [], "event_types"),
        ("http://127.0.0.1/x", ["registration.exploded"], "event_types"),
    ],
)
def test_bad_input_says_which_field_and_writes_nothing(db, client, login, fair, html, url, types, field):
    login(fair.organiser)
    response = client.post(
        f"/manage/events/{fair.event.id}/webhooks", data={"url": url, "event_types": types}
    )
    assert response.status_code == 422
    assert html(response).select_one("[data-error-summary]") is not None
    assert db.session.scalar(select(func.count()).select_from(WebhookSubscription)) == 0


def failed_delivery(db, fair):
    subscription, _ = subscribe(fair, "http://127.0.0.1:9/a", ["registration.created"])
    applicant(fair)
    delivery = deliveries(db)[0]
    delivery.status, delivery.attempts = "failed", hooks.MAX_ATTEMPTS
    db.session.add(
        WebhookAttempt(delivery_id=delivery.id, status_code=503, response_excerpt="down", duration_ms=12)
    )
    db.session.flush()
    return subscription, delivery


def test_a_delivery_is_sent_again_from_its_page_after_a_confirmation(
    db, client, login, fair, html, worker, receiver
):
    subscription, delivery = failed_delivery(db, fair)
    subscription.url = receiver.url
    login(fair.organiser)
    base = f"/manage/events/{fair.event.id}/webhooks/{subscription.id}/deliveries"
    page = html(client.get(base))
    row = page.select_one(f"tr[data-delivery='{delivery.id}']")
    assert "HTTP 503" in row.get_text() and "down" in row.get_text()
    form = row.select_one("form[data-confirm]")
    assert form["method"] == "post" and form["action"].endswith(f"/{delivery.id}/redeliver")
    assert client.get(form["action"]).status_code == 405  # never by a link
    worker.purge()
    assert client.post(form["action"]).status_code == 302
    assert db.session.get(WebhookDelivery, delivery.id).status == "pending"
    worker.drain()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert len(receiver.requests) == 1
    assert db.session.scalar(select(func.count()).where(WebhookAttempt.delivery_id == delivery.id)) == 2
    # Filtered by status.
    assert html(client.get(base + "?status=failed")).select_one("#no-deliveries") is not None
    assert html(client.get(base + "?status=delivered")).select_one(f"tr[data-delivery='{delivery.id}']")


def test_a_paused_webhook_is_not_redelivered_until_resumed(db, client, login, fair):
    subscription, delivery = failed_delivery(db, fair)
    hooks.set_active(fair.organiser, subscription, False)
    login(fair.organiser)
    url = f"/manage/events/{fair.event.id}/webhooks/{subscription.id}/deliveries/{delivery.id}/redeliver"
    client.post(url)
    assert db.session.get(WebhookDelivery, delivery.id).status == "failed"
    client.post(f"/manage/events/{fair.event.id}/webhooks/{subscription.id}/resume")
    client.post(url)
    assert db.session.get(WebhookDelivery, delivery.id).status == "pending"


def test_the_deliveries_page_costs_the_same_statements_with_more_rows(db, client, login, fair):
    subscription, _ = subscribe(fair, "http://127.0.0.1:9/a", ["registration.created"])
    login(fair.organiser)
    url = f"/manage/events/{fair.event.id}/webhooks/{subscription.id}/deliveries"

    def counted():
        count = 0

        def listener(*_args):
            nonlocal count
            count += 1

        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        return count

    applicant(fair)
    small = counted()
    for _ in range(30):
        applicant(fair)
    for delivery in deliveries(db):
        db.session.add(WebhookAttempt(delivery_id=delivery.id, status_code=500, duration_ms=3))
    db.session.flush()
    assert counted() == small


# ---------------------------------------------------------------- who may


def test_only_the_events_organisers_and_admins_reach_the_pages(
    db, client, login, fair, make_user, exhibitor, buyer_user
):
    subscription, delivery = failed_delivery(db, fair)
    base = f"/manage/events/{fair.event.id}/webhooks"
    gets = [base, f"{base}/{subscription.id}/deliveries"]
    posts = [
        f"{base}/{subscription.id}/pause",
        f"{base}/{subscription.id}/delete",
        f"{base}/{subscription.id}/deliveries/{delivery.id}/redeliver",
    ]
    for url in gets + posts:
        response = client.get(url) if url in gets else client.post(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for user in (exhibitor, buyer_user, make_user(role="organiser")):
        login(user)
        for url in gets:
            assert client.get(url).status_code == 403
        for url in posts:
            assert client.post(url).status_code == 403
        assert (
            client.post(
                base, data={"url": "http://127.0.0.1/x", "event_types": ["registration.created"]}
            ).status_code
            == 403
        )
        client.post("/logout")
    subscription = db.session.get(WebhookSubscription, subscription.id)
    assert subscription.active and db.session.get(WebhookDelivery, delivery.id).status == "failed"
    assert db.session.scalar(select(func.count()).select_from(WebhookSubscription)) == 1
    for user in (fair.organiser, make_user(role="admin")):
        login(user)
        for url in gets:
            assert client.get(url).status_code == 200
        client.post("/logout")
    with pytest.raises(PermissionDenied):
        hooks.create_subscription(exhibitor, fair.event, "http://127.0.0.1/x", ["registration.created"])


def test_another_events_webhook_is_not_found_through_this_event(db, client, login, fair, make_open_event):
    subscription, delivery = failed_delivery(db, fair)
    other = make_open_event(fair.organiser)
    login(fair.organiser)
    assert client.get(f"/manage/events/{other.id}/webhooks/{subscription.id}/deliveries").status_code == 404
    assert client.post(f"/manage/events/{other.id}/webhooks/{subscription.id}/pause").status_code == 404
    assert (
        client.post(
            f"/manage/events/{other.id}/webhooks/{subscription.id}/deliveries/{delivery.id}/redeliver"
        ).status_code
        == 404
    )


# ---------------------------------------------------------------- addresses (SSRF)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/in",
        "https://127.0.0.1/in",
        "https://10.0.0.5/in",
        "https://172.16.3.4/in",
        "https://192.168.1.1/in",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/in",
        "https://0.0.0.0/in",
        "https://[::1]/in",
        "https://[fe80::1]/in",
        "https://[fd00::1]/in",
        "https://[::ffff:10.0.0.1]/in",
        "https://224.0.0.1/in",
        "https://localhost/in",
        "http://93.184.215.14/in",
        "https://user:secret@93.184.215.14/in",
        "ftp://93.184.215.14/in",
        "javascript:alert(1)",
        "https://93.184.215.14:70000/in",
        "",
    ],
)
def test_production_refuses_private_local_and_plain_http_addresses(url):
    assert hooks.url_problem(url, allow_loopback=False) is not None


def test_production_takes_a_public_https_address():
    assert hooks.url_problem("https://93.184.215.14/ocopfair/hooks", allow_loopback=False) is None
    assert hooks.url_problem("https://[2606:4700:4700::1111]/in", allow_loopback=False) is None


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:8000/in", True),
        ("http://localhost:8000/in", True),
        ("http://[::1]:8000/in", True),
        ("http://10.0.0.5/in", False),
        ("http://93.184.215.14/in", False),
    ],
)
def test_development_allows_plain_http_to_loopback_only(url, ok):
    assert (hooks.url_problem(url, allow_loopback=True) is None) is ok


def test_an_address_checked_again_before_each_post(db, fair, app):
    subscribe(fair, "http://127.0.0.1:9/a", ["registration.created"])
    applicant(fair)
    db.session.commit()
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = False
    try:
        hooks.send_due()
    finally:
        app.config["WEBHOOKS_ALLOW_LOOPBACK"] = True
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.status_code is None and "https" in attempt.error


@pytest.mark.parametrize(
    "query",
    [
        "?status=%00",
        "?status=" + "x" * 5000,
        "?page=-1",
        "?page=99999999999999999999",
        "?page=abc&status=failed",
    ],
)
def test_hostile_filters_on_the_deliveries_page_give_a_page(db, client, login, fair, query):
    subscription, _ = subscribe(fair, "http://127.0.0.1:9/a", ["registration.created"])
    login(fair.organiser)
    response = client.get(f"/manage/events/{fair.event.id}/webhooks/{subscription.id}/deliveries{query}")
    assert response.status_code in (200, 400)


def test_the_post_goes_to_the_address_that_was_checked_not_a_second_dns_answer(db, receiver, monkeypatch):
    """DNS rebinding: the host answers a loopback address at the check, then another one; the
    POST still goes to the checked address (with the host's name in its Host header)."""
    real = hooks.socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def rebinding(host, *args, **kwargs):
        if host == "hooks.example.test":
            address = next(answers, "192.0.2.1")  # later: an address that answers nothing
            return real(address, *args, **kwargs)
        return real(host, *args, **kwargs)

    url = receiver.url.replace("127.0.0.1", "hooks.example.test")
    monkeypatch.setattr(hooks.socket, "getaddrinfo", rebinding)
    answer = hooks.post(url, b"{}", {"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.error
    headers, _body = receiver.requests[-1]
    assert headers["host"] == f"hooks.example.test:{receiver.server.server_port}"
