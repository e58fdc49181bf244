"""The outbox: mail is queued with the change it reports and delivered through a real SMTP server.

The SMTP server is aiosmtpd on a loopback port, started by the test.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.database import utcnow
from app.notifications import services
from app.notifications.models import OutboxMessage

SUBJECT = "Hội chợ OCOP Quảng Ninh: đăng ký của HTX Chè Hải Hà đã được duyệt"
BODY = (
    "Kính gửi Quý hợp tác xã,\nĐăng ký tham gia hội chợ đã được duyệt. Hẹn gặp tại gian hàng số 12 — Hạ Long."
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@pytest.fixture()
def smtp_port():
    return free_port()


@pytest.fixture()
def smtp_server(smtp_port):
    controller, inbox = start_smtp(smtp_port)
    yield inbox
    controller.stop()


def mail_config(port: int) -> dict:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_DEFAULT_SENDER": "Hội chợ OCOP <ocopfair@xttm.quangninh.gov.vn>",
    }


def queue(db, **overrides) -> OutboxMessage:
    values = {"to_address": "htx.haiha@example.vn", "subject": SUBJECT, "body": BODY, "kind": "test"}
    message = services.queue_mail(**(values | overrides))
    db.session.commit()
    return message


@pytest.fixture()
def mail_log():
    """Records of the "ocopfair.mail" logger (works with pytest's logging plugin off)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    logger = logging.getLogger("ocopfair.mail")
    handler, level = Keep(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_queued_mail_reaches_the_smtp_server_with_its_vietnamese_subject_and_body(db, smtp_server, smtp_port):
    message = queue(db)

    counts = services.send_due(mail_config(smtp_port))

    assert counts.sent == 1
    [(recipients, received)] = smtp_server.messages
    assert recipients == ["htx.haiha@example.vn"]
    assert received["Subject"] == SUBJECT
    assert received.get_content().rstrip("\n") == BODY
    assert received["From"].addresses[0].display_name == "Hội chợ OCOP"
    assert received["Message-ID"].startswith(f"<outbox-{message.id}.")
    db.session.refresh(message)
    assert message.status == "sent"
    assert message.sent_at is not None
    assert message.attempts == 0


def test_a_mail_queued_in_a_transaction_that_rolls_back_is_never_sent(db, smtp_server, smtp_port):
    services.queue_mail(to_address="a@example.vn", subject=SUBJECT, body=BODY, kind="test")
    db.session.rollback()

    assert services.send_due(mail_config(smtp_port)).sent == 0
    assert smtp_server.messages == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_when_the_server_is_down_the_mail_stays_queued_and_goes_out_on_a_later_run(db, smtp_port):
    message = queue(db)
    first_run = utcnow()

    counts = services.send_due(mail_config(smtp_port), now=first_run)  # nothing listens on the port

    assert (counts.sent, counts.retried) == (0, 1)
    db.session.refresh(message)
    assert message.status == "queued"
    assert message.attempts == 1
    assert message.last_error
    assert message.next_attempt_at == first_run + timedelta(minutes=1)

    # Before its next attempt is due, a run leaves it alone.
    assert services.send_due(mail_config(smtp_port), now=first_run + timedelta(seconds=30)).retried == 0
    db.session.refresh(message)
    assert message.attempts == 1

    controller, inbox = start_smtp(smtp_port)
    try:
        counts = services.send_due(mail_config(smtp_port), now=first_run + timedelta(minutes=1))
    finally:
        controller.stop()

    assert counts.sent == 1
    assert [m["Subject"] for _, m in inbox.messages] == [SUBJECT]
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("sent", 1)


def test_only_the_first_mail_of_a_run_is_tried_while_the_server_is_unreachable(db, smtp_port):
    first, second = queue(db, to_address="a@example.vn"), queue(db, to_address="b@example.vn")

    counts = services.send_due(mail_config(smtp_port))

    assert (counts.retried, counts.deferred) == (1, 1)
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.attempts == 1
    assert (second.status, second.attempts) == ("queued", 0)
    assert second.next_attempt_at <= utcnow()  # due again at once, not held by the claim


class RefusingMailer:
    """A server that takes the connection but refuses every recipient."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def send(self, message):
        raise smtplib.SMTPRecipientsRefused({message["To"]: (450, b"mailbox busy")})


def test_failures_back_off_exponentially_up_to_an_hour_and_give_up_after_ten_attempts(db):
    message = queue(db)
    now = utcnow()
    delays = []
    for _ in range(services.MAX_ATTEMPTS):
        services.send_due(RefusingMailer(), now=now)
        db.session.refresh(message)
        if message.status == "queued":
            delays.append(message.next_attempt_at - now)
            now = message.next_attempt_at

    assert [d.total_seconds() / 60 for d in delays] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert message.status == "failed"
    assert message.attempts == services.MAX_ATTEMPTS
    assert "mailbox busy" in message.last_error
    # Kept, and a later run doesn't touch it.
    assert services.send_due(RefusingMailer(), now=now + timedelta(days=1)).retried == 0

    assert services.requeue_failed() == 1
    db.session.commit()
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("queued", 0)


def test_without_mail_server_the_mail_is_written_to_the_log_and_marked_sent(db, app, mail_log):
    message = queue(db)
    assert app.config["MAIL_SERVER"] is None

    counts = services.send_outbox()  # the scheduled job: the app's config, no MAIL_SERVER

    assert counts.sent == 1
    [text] = [r.getMessage() for r in mail_log if "htx.haiha@example.vn" in r.getMessage()]
    assert "htx.haiha@example.vn" in text
    assert SUBJECT in text
    assert "gian hàng số 12" in text
    db.session.refresh(message)
    assert message.status == "sent"


def test_a_dedupe_key_queues_a_mail_once(db, smtp_server, smtp_port):
    first = services.queue_mail(
        to_address="a@example.vn", subject=SUBJECT, body=BODY, kind="event_reminder", dedupe_key="k:1:2"
    )
    again = services.queue_mail(
        to_address="a@example.vn", subject=SUBJECT, body=BODY, kind="event_reminder", dedupe_key="k:1:2"
    )
    other = services.queue_mail(
        to_address="b@example.vn", subject=SUBJECT, body=BODY, kind="event_reminder", dedupe_key="k:1:3"
    )
    db.session.commit()  # the caller's transaction is still usable
    assert first is not None and other is not None
    assert again is None

    services.send_due(mail_config(smtp_port))
    # Once sent, the key still stands.
    assert (
        services.queue_mail(
            to_address="a@example.vn", subject=SUBJECT, body=BODY, kind="event_reminder", dedupe_key="k:1:2"
        )
        is None
    )
    db.session.commit()
    assert sorted(r[0] for r, _ in smtp_server.messages) == ["a@example.vn", "b@example.vn"]


def test_the_outbox_command_sends_what_is_due_and_requeues_failed_mail(db, runner, mail_log):
    queue(db)
    failed = queue(db, to_address="b@example.vn")
    failed.status, failed.attempts = "failed", services.MAX_ATTEMPTS
    db.session.commit()

    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output

    result = runner.invoke(args=["outbox", "retry-failed"])
    assert "1 message(s) queued again" in result.output
    assert "sent 1" in runner.invoke(args=["outbox", "send"]).output


class SlowInbox:
    """A mailer that takes its time, so two senders overlap."""

    def __init__(self):
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def send(self, message):
        time.sleep(0.02)
        with self.lock:
            self.sent.append(message["To"])


def test_two_senders_at_once_never_send_one_mail_twice(app, db):
    addresses = [f"nguoi{n}@example.vn" for n in range(12)]
    for address in addresses:
        services.queue_mail(to_address=address, subject=SUBJECT, body=BODY, kind="test")
    db.session.commit()
    inbox = SlowInbox()
    start = threading.Barrier(2)
    errors = []

    def sender():
        with app.app_context():
            try:
                start.wait()
                for _ in range(5):
                    services.send_due(inbox, batch=4)
            except Exception as error:  # surfaced below
                errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(inbox.sent) == sorted(addresses)
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == ["sent"] * len(addresses)


# ---------------------------------------------------------------- many at once


def _many(count: int, key: str = "bulk") -> list[dict]:
    return [
        {
            "to_address": f"nguoi{n}@example.vn",
            "subject": SUBJECT,
            "body": BODY,
            "kind": "test",
            "dedupe_key": f"{key}:{n}",
        }
        for n in range(count)
    ]


def test_many_mails_are_queued_at_once_and_a_key_already_there_is_skipped(db, app):
    services.queue_mail(
        to_address="nguoi1@example.vn", subject=SUBJECT, body=BODY, kind="test", dedupe_key="bulk:1"
    )
    batch = _many(5)
    batch.append(dict(batch[3]))  # the same key twice in one batch

    statements = []
    record = lambda *args: statements.append(args[2])  # noqa: E731
    from sqlalchemy import event

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        queued = services.queue_mails(batch)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    db.session.commit()

    assert queued == 4  # bulk:0, 2, 3, 4; bulk:1 was there and bulk:3 comes once
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 1
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert sorted(r.dedupe_key for r in rows) == [f"bulk:{n}" for n in range(5)]
    assert all(r.status == "queued" and r.attempts == 0 and r.next_attempt_at <= utcnow() for r in rows)
    assert services.queue_mails([]) == 0


def test_the_minute_job_sends_batch_after_batch_until_nothing_is_due(db, app, mail_log):
    services.queue_mails(_many(7))
    db.session.commit()

    counts = services.send_outbox(batch=3)  # the scheduled job, no MAIL_SERVER: to the log

    assert (counts.sent, counts.claimed) == (7, 7)
    assert db.session.scalars(select(OutboxMessage.status)).all() == ["sent"] * 7
    assert services.send_outbox(batch=3).claimed == 0


def test_the_minute_job_stops_at_the_first_batch_while_the_server_is_unreachable(
    db, app, smtp_port, monkeypatch
):
    services.queue_mails(_many(7))
    db.session.commit()
    for name, value in mail_config(smtp_port).items():  # nothing listens on the port
        monkeypatch.setitem(app.config, name, value)

    counts = services.send_outbox(batch=3)

    assert (counts.claimed, counts.retried, counts.deferred, counts.sent) == (3, 1, 2, 0)
    attempts = db.session.scalars(select(OutboxMessage.attempts).order_by(OutboxMessage.id)).all()
    assert attempts == [1, 0, 0, 0, 0, 0, 0]
