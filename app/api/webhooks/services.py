"""Webhooks: subscriptions, deliveries written with the action (outbox), signed POSTs with back-off.

Flow: a service acts and sends a signal (app/signals.py); a receiver below writes one
`WebhookDelivery` per active subscription of the event that wants the type, in the action's own
transaction (an action that rolls back leaves no delivery), and asks for the sender to be put on
the task queue after the commit. `send_due` (a worker runs it, and the clock every minute)
claims due deliveries, POSTs each without holding a transaction, and records the attempt.

Signature: header `Ocopfair-Signature: t=<unix seconds>,v1=<hex>` where hex is
HMAC-SHA256(secret, "<t>.<raw body>"). Receivers recompute it and refuse an old t.

Retries: a network error or a non-2xx answer is tried again after 1 min, 5 min, 30 min, 2 h and
12 h; then the delivery is "failed". A subscription is paused, and its owner mailed through the
outbox, after PAUSE_AFTER_FAILED deliveries in a row given up, or when its deliveries have failed
for PAUSE_AFTER_FAILING without a success in between.

Addresses (SSRF): https only; in production (WEBHOOKS_ALLOW_LOOPBACK off) every address the host
resolves to must be public (not private, loopback, link-local, shared, reserved or multicast),
checked when the subscription is saved and again before each POST; redirects are not followed
and no proxy from the environment is used. In development and testing plain http is allowed to
loopback addresses only.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from app import clock, signals
from app.accounts.models import User
from app.api.webhooks.models import (
    DELIVERY_STATUSES,
    EVENT_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from app.errors import ServiceError
from app.events.models import Event
from app.events.services import ensure_can_manage
from app.extensions import db
from app.notifications.services import queue_mail
from app.paging import counted_page, rows_and_total
from app.transaction import _AFTER_COMMIT, after_commit, transaction
from app.urls import external_url

log = logging.getLogger("ocopfair.webhooks")

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
PAUSE_AFTER_FAILED = 3
PAUSE_AFTER_FAILING = timedelta(hours=24)
TIMEOUT_SECONDS = 5  # connect, and each read
EXCERPT_CHARS = 300
READ_BYTES = 2048
CLAIM_LEASE = timedelta(minutes=2)
SEND_BUDGET_SECONDS = 50.0
BATCH = 50
MAX_SUBSCRIPTIONS = 20
PER_PAGE = 25
SIGNATURE_HEADER = "Ocopfair-Signature"
SEND_DUE = "app.api.webhooks.services:send_due"

TYPE_LABELS = {
    "registration.created": _l("A registration is received"),
    "registration.approved": _l("A registration is approved"),
    "registration.rejected": _l("A registration is rejected"),
    "booth.assigned": _l("A booth is assigned (allocated, picked, moved or swapped)"),
    "meeting.published": _l("Meetings are published"),
    "meeting.changed": _l("A published meeting moves"),
    "meeting.cancelled": _l("A published meeting is cancelled"),
    "checkin.recorded": _l("A meeting is checked in"),
    "outcome.recorded": _l("A meeting's outcome is recorded"),
}
STATUS_LABELS = {
    "pending": _l("Pending"),
    "delivered": _l("Delivered"),
    "failed": _l("Failed"),
}


# ---------------------------------------------------------------- addresses


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found = []
    for info in infos:
        try:
            found.append(ipaddress.ip_address(info[4][0].split("%")[0]))
        except ValueError:
            continue
    return found


def _public(address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def url_problem(url: str, *, allow_loopback: bool):
    """Why `url` can't receive webhooks (a message), or None when it can."""
    return _checked(url, allow_loopback=allow_loopback)[0]


def _checked(url: str, *, allow_loopback: bool):
    """(why `url` can't receive webhooks or None, the addresses its host resolved to)."""
    url = (url or "").strip()
    if not url or len(url) > 2000:
        return _l("Give the address that receives the webhooks (at most 2,000 characters)."), []
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return _l("This is not a valid web address."), []
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _l("Give an address starting with https://."), []
    if parts.username or parts.password:
        return _l("Leave the user name and password out of the address."), []
    addresses = _addresses(parts.hostname)
    if not addresses:
        return _l("The host %(host)s could not be found.", host=parts.hostname[:100]), []
    loopback = all(a.is_loopback for a in addresses)
    if parts.scheme == "http" and not (allow_loopback and loopback):
        return (
            _l("Give an address starting with https:// (plain http only to this machine, in development)."),
            addresses,
        )
    if not allow_loopback and not all(_public(a) for a in addresses):
        return (
            _l("This address is on a private or local network; webhooks go only to public addresses."),
            addresses,
        )
    return None, addresses


def _allow_loopback() -> bool:
    return bool(current_app.config.get("WEBHOOKS_ALLOW_LOOPBACK"))


# ---------------------------------------------------------------- signing


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value: HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (README shows it): the signature matches and is at most `tolerance` s old."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


# ---------------------------------------------------------------- subscriptions


def subscriptions_of(event: Event) -> list[tuple[WebhookSubscription, dict[str, int]]]:
    """The event's subscriptions, each with its deliveries counted by status (one GROUP BY)."""
    subscriptions = list(
        db.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.event_id == event.id)
            .order_by(WebhookSubscription.id)
        )
    )
    counts: dict[int, dict[str, int]] = {s.id: dict.fromkeys(DELIVERY_STATUSES, 0) for s in subscriptions}
    if subscriptions:
        rows = db.session.execute(
            select(WebhookDelivery.subscription_id, WebhookDelivery.status, func.count())
            .where(WebhookDelivery.subscription_id.in_(list(counts)))
            .group_by(WebhookDelivery.subscription_id, WebhookDelivery.status)
        )
        for subscription_id, status, count in rows:
            counts[subscription_id][status] = count
    return [(s, counts[s.id]) for s in subscriptions]


def subscription_of(event: Event, subscription_id: int) -> WebhookSubscription | None:
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.event_id != event.id:
        return None
    return subscription


def create_subscription(actor, event: Event, url: str, types) -> tuple[WebhookSubscription, str]:
    """An organiser subscribes `url` to `types` of `event`; returns it and its secret (shown once)."""
    ensure_can_manage(actor, event)
    url = (url or "").strip()
    problem = url_problem(url, allow_loopback=_allow_loopback())
    if problem is not None:
        raise ServiceError(problem, "url")
    chosen = [t for t in EVENT_TYPES if t in set(types or ())]
    if not chosen or len(chosen) != len(set(types)):
        raise ServiceError(_l("Choose at least one kind of event."), "event_types")
    existing = db.session.scalar(
        select(func.count()).select_from(WebhookSubscription).where(WebhookSubscription.event_id == event.id)
    )
    if existing >= MAX_SUBSCRIPTIONS:
        raise ServiceError(_l("An event has at most %(n)d webhooks.", n=MAX_SUBSCRIPTIONS))
    secret = "whsec_" + secrets.token_hex(24)
    subscription = WebhookSubscription(
        event_id=event.id,
        created_by_id=actor.id,
        url=url,
        event_types=" ".join(chosen),
        secret=secret,
        active=True,
    )
    db.session.add(subscription)
    db.session.flush()
    return subscription, secret


def set_active(actor, subscription: WebhookSubscription, active: bool) -> WebhookSubscription:
    """Pause, or resume (which forgets the run of failures)."""
    ensure_can_manage(actor, db.session.get(Event, subscription.event_id))
    subscription.active = active
    if active:
        subscription.paused_reason = None
        subscription.failed_in_row = 0
        subscription.failing_since = None
        _enqueue_after_commit()  # deliveries that waited while it was paused
    else:
        subscription.paused_reason = "owner"
    db.session.flush()
    return subscription


def delete_subscription(actor, subscription: WebhookSubscription) -> None:
    ensure_can_manage(actor, db.session.get(Event, subscription.event_id))
    db.session.delete(subscription)
    db.session.flush()


@dataclass
class DeliveryRow:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def deliveries_page(subscription: WebhookSubscription, status: str | None, page: int):
    """The subscription's deliveries, newest first, PER_PAGE a page, each with its attempts (2 queries)."""
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if status in DELIVERY_STATUSES:
        query = query.where(WebhookDelivery.status == status)
    rows, total = rows_and_total(query.order_by(WebhookDelivery.id.desc()), page=page, per_page=PER_PAGE)
    deliveries = [row[0] for row in rows]
    attempts: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
    if deliveries:
        for attempt in db.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(list(attempts)))
            .order_by(WebhookAttempt.id.desc())
        ):
            attempts[attempt.delivery_id].append(attempt)
    items = [DeliveryRow(d, attempts[d.id]) for d in deliveries]
    return counted_page(items, total, page=page, per_page=PER_PAGE)


def redeliver(actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now, with a fresh round of retries; its attempts so far stay logged."""
    subscription = db.session.get(WebhookSubscription, delivery.subscription_id)
    ensure_can_manage(actor, db.session.get(Event, subscription.event_id))
    if not subscription.active:
        raise ServiceError(_l("Resume the webhook before sending a delivery again."))
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = clock.now()
    db.session.flush()
    _enqueue_after_commit()
    return delivery


# ---------------------------------------------------------------- writing deliveries (receivers)


def _enqueue_send() -> None:
    """After the commit: put the sender on the queue; if the queue is down the clock's job sends."""
    from app.tasks.errors import QueueUnavailable
    from app.tasks.queue import CALL_TASK, publish

    try:
        publish(CALL_TASK, [SEND_DUE], queue="mail")
    except QueueUnavailable:
        log.warning("webhooks: the queue could not be reached; the minute's job will send")


def _enqueue_after_commit() -> None:
    if _enqueue_send not in db.session().info.get(_AFTER_COMMIT, []):
        after_commit(_enqueue_send)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def emit(event_id: int, event_type: str, data: dict) -> int:
    """Write one delivery per active subscription of the event wanting `event_type` (flushed)."""
    subscriptions = [
        s
        for s in db.session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.event_id == event_id,
                WebhookSubscription.active.is_(True),
                WebhookSubscription.event_types.contains(event_type),
            )
        )
        if event_type in s.types
    ]
    if not subscriptions:
        return 0
    now = clock.now()
    for subscription in subscriptions:
        uid = "evt_" + secrets.token_hex(12)
        body = {"id": uid, "type": event_type, "created_at": _iso(now), "event_id": event_id, "data": data}
        db.session.add(
            WebhookDelivery(
                uid=uid,
                subscription_id=subscription.id,
                event_type=event_type,
                body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    db.session.flush()
    _enqueue_after_commit()
    return len(subscriptions)


def _registration_data(registration) -> dict:
    return {
        "registration": {
            "id": registration.id,
            "role": registration.role,
            "status": registration.status,
            "organisation_id": registration.organisation_id,
            "organisation_name": registration.organisation.name,
            "reason": registration.reason,
        }
    }


def _meeting_data(meeting) -> dict:
    return {
        "meeting": {
            "id": meeting.id,
            "session_id": meeting.session_id,
            "buyer_registration_id": meeting.buyer_registration_id,
            "producer_registration_id": meeting.producer_registration_id,
            "slot": meeting.slot,
            "table": meeting.table,
            "status": meeting.status,
            "checked_in_at": _iso(meeting.checked_in_at),
        }
    }


@signals.registration_created.connect
def _on_registration_created(registration, **_extra) -> None:
    emit(registration.event_id, "registration.created", _registration_data(registration))


@signals.registration_approved.connect
def _on_registration_approved(registration, **_extra) -> None:
    emit(registration.event_id, "registration.approved", _registration_data(registration))


@signals.registration_rejected.connect
def _on_registration_rejected(registration, **_extra) -> None:
    emit(registration.event_id, "registration.rejected", _registration_data(registration))


@signals.booth_assigned.connect
def _on_booth_assigned(assignment, *, how: str = "allocated", **_extra) -> None:
    emit(
        assignment.event_id,
        "booth.assigned",
        {
            "assignment": {
                "id": assignment.id,
                "how": how,
                "booth_id": assignment.booth_id,
                "booth_code": assignment.booth.code if assignment.booth is not None else None,
                "registration_id": assignment.registration_id,
                "organisation_name": assignment.registration.organisation.name,
                "status": assignment.status,
                "payment": assignment.payment,
            }
        },
    )


@signals.meetings_published.connect
def _on_meetings_published(session, *, people=(), update: bool = False, **_extra) -> None:
    emit(
        session.event_id,
        "meeting.published",
        {"session": {"id": session.id, "update": bool(update), "participants": len(set(people or ()))}},
    )


@signals.meeting_moved.connect
def _on_meeting_moved(meeting, **_extra) -> None:
    emit(meeting.session.event_id, "meeting.changed", _meeting_data(meeting))


@signals.meeting_cancelled.connect
def _on_meeting_cancelled(meeting, **_extra) -> None:
    emit(meeting.session.event_id, "meeting.cancelled", _meeting_data(meeting))


@signals.meeting_checked_in.connect
def _on_meeting_checked_in(meeting, **_extra) -> None:
    emit(meeting.session.event_id, "checkin.recorded", _meeting_data(meeting))


@signals.outcome_recorded.connect
def _on_outcome_recorded(outcome, *, meeting, **_extra) -> None:
    emit(
        meeting.session.event_id,
        "outcome.recorded",
        {
            "outcome": {
                "meeting_id": meeting.id,
                "side": outcome.side,
                "kind": outcome.kind,
                "value_vnd": outcome.value_vnd,
                "recorded_at": _iso(outcome.recorded_at),
            }
        },
    )


# ---------------------------------------------------------------- sending


@dataclass
class Claimed:
    delivery_id: int
    uid: str
    event_type: str
    body: str
    url: str
    secret: str


@dataclass
class Response:
    status_code: int | None
    excerpt: str | None
    error: str | None
    duration_ms: int


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the host was checked at, not to whatever DNS answers a moment
    later (DNS rebinding: a public address at the check, a private one at the connection)."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same for https: the certificate is still verified against the host's name."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")[:EXCERPT_CHARS]


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """One POST to the address just checked, short timeouts, no redirect followed (a 3xx is an
    answer) and no proxy; never raises."""
    started = time.perf_counter()
    status_code = excerpt = error = None
    problem, addresses = _checked(url, allow_loopback=_allow_loopback())  # again: DNS may have changed
    if problem is not None:
        error = str(problem)
    else:
        parts = urlsplit(url.strip())
        connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(parts.hostname, parts.port, str(addresses[0]), timeout=TIMEOUT_SECONDS)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", target, body=body, headers=headers)
            answer = connection.getresponse()
            status_code, excerpt = answer.status, _excerpt(answer.read(READ_BYTES))
        except (OSError, ValueError, http.client.HTTPException) as failure:  # refused, timed out, TLS
            error = f"{type(failure).__name__}: {failure}"[:300]
        finally:
            connection.close()
    duration_ms = int((time.perf_counter() - started) * 1000)
    return Response(status_code, excerpt, error, duration_ms)


def _due(now: datetime):
    return (WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)


def _claim(batch: int) -> list[Claimed]:
    """Take up to `batch` due deliveries of active subscriptions, hidden from other senders for a while."""
    now = clock.now()
    candidates = (
        select(WebhookDelivery.id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(*_due(now), WebhookSubscription.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(batch)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
        .cte("candidates")
    )
    try:
        with transaction():
            ids = list(
                db.session.scalars(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id == candidates.c.id, *_due(now))
                    .values(next_attempt_at=now + CLAIM_LEASE)
                    .returning(WebhookDelivery.id),
                    execution_options={"synchronize_session": False},
                )
            )
            rows = db.session.execute(
                select(
                    WebhookDelivery.id,
                    WebhookDelivery.uid,
                    WebhookDelivery.event_type,
                    WebhookDelivery.body,
                    WebhookSubscription.url,
                    WebhookSubscription.secret,
                )
                .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                .where(WebhookDelivery.id.in_(ids))
                .order_by(WebhookDelivery.id)
            ).all()
    except OperationalError as error:  # SQLite: another sender holds the write lock
        log.info("webhooks busy (another sender is claiming): %s", error)
        return []
    return [Claimed(*row) for row in rows]


def _deliver(item: Claimed) -> bool:
    body = item.body.encode()
    timestamp = int(clock.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ocopfair-webhooks/1",
        "Ocopfair-Event": item.event_type,
        "Ocopfair-Delivery": item.uid,
        SIGNATURE_HEADER: sign(item.secret, timestamp, body),
    }
    answer = post(item.url, body, headers)
    ok = answer.status_code is not None and 200 <= answer.status_code < 300
    with transaction():
        delivery = db.session.get(WebhookDelivery, item.delivery_id)
        if delivery is None:  # the subscription was deleted meanwhile
            return ok
        now = clock.now()
        db.session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                attempted_at=now,
                status_code=answer.status_code,
                error=answer.error,
                response_excerpt=answer.excerpt,
                duration_ms=answer.duration_ms,
            )
        )
        subscription = db.session.get(WebhookSubscription, delivery.subscription_id)
        delivery.attempts += 1
        delivery.last_status_code = answer.status_code
        if ok:
            delivery.status, delivery.delivered_at = "delivered", now
            subscription.failed_in_row, subscription.failing_since = 0, None
        else:
            subscription.failing_since = subscription.failing_since or now
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
                subscription.failed_in_row += 1
            else:
                delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
            if subscription.active and (
                subscription.failed_in_row >= PAUSE_AFTER_FAILED
                or now - subscription.failing_since >= PAUSE_AFTER_FAILING
            ):
                _pause_failing(subscription)
        db.session.flush()
    return ok


def _pause_failing(subscription: WebhookSubscription) -> None:
    """Pause a subscription that keeps failing and tell its owner (the outbox, his language)."""
    subscription.active = False
    subscription.paused_reason = "failing"
    owner = db.session.get(User, subscription.created_by_id) if subscription.created_by_id else None
    event = db.session.get(Event, subscription.event_id)
    log.warning("webhook %s of event %s paused: it keeps failing", subscription.id, subscription.event_id)
    if owner is None or not owner.email:
        return
    with force_locale(owner.locale or current_app.config.get("NON_REQUEST_LOCALE", "vi")):
        subject = gettext("Webhook paused: %(url)s", url=subscription.url[:120])
        body = gettext(
            "Deliveries to %(url)s (event %(event)s) kept failing, so the webhook was paused "
            "and nothing more is sent to it.\n\nCheck the receiving system, then resume the webhook "
            "and send the failed deliveries again from this page:\n%(link)s\n",
            url=subscription.url,
            event=event.name_in(owner.locale or "vi") if event is not None else subscription.event_id,
            link=external_url("webhooks.subscriptions", event_id=subscription.event_id),
        )
    queue_mail(to_address=owner.email, subject=subject, body=body, kind="webhook_paused", user_id=owner.id)


def send_due(budget: float = SEND_BUDGET_SECONDS, batch: int = BATCH) -> dict[str, int]:
    """The sender (a worker runs it after each action and every minute): due deliveries, batch by batch."""
    counts = {"delivered": 0, "failed": 0}
    deadline = time.monotonic() + budget
    while True:
        claimed = _claim(batch)
        for item in claimed:
            counts["delivered" if _deliver(item) else "failed"] += 1
        if len(claimed) < batch or time.monotonic() >= deadline:
            break
    if counts["delivered"] or counts["failed"]:
        log.info("webhooks: %s", counts)
    return counts
