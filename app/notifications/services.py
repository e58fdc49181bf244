"""The outbox: mail is queued in the transaction of the change it reports, and sent later.

`queue_mail` only adds a row, so a registration that rolls back leaves no mail behind.
`send_due` (the scheduled "outbox-send" job, or `flask outbox send`) delivers what is due:
through SMTP when `MAIL_SERVER` is set, otherwise by writing it to the "ocopfair.mail" log.

Nothing is lost: a message is marked sent only after the SMTP server accepted it. A failed
send stays queued with a later `next_attempt_at` (1, 2, 4 ... minutes, at most an hour);
after `MAX_ATTEMPTS` failures it is marked "failed" and kept, visible, until someone
requeues it. If the sender dies between the server's acceptance and the commit, the
message is sent again after its claim expires: at least once, never silently dropped.

Two senders never send one message twice: each claims its messages first (a short
transaction that pushes `next_attempt_at` past the claim's lease; on PostgreSQL the
candidate rows are read `FOR UPDATE SKIP LOCKED`, on SQLite the claim is a conditional
UPDATE that only one writer can win), then sends without holding a lock or transaction.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError

from app import signals
from app.database import utcnow
from app.extensions import db
from app.notifications.models import OutboxMessage

log = logging.getLogger("ocopfair.mail")

MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(hours=1)
# How long a claimed message is hidden from other senders while this one sends it.
CLAIM_LEASE = timedelta(minutes=10)
SMTP_TIMEOUT = 30  # seconds, per SMTP operation
# The every-minute job sends batch after batch for at most this long (then the next one goes on).
SEND_BUDGET_SECONDS = 50.0
JOB_BATCH = 200


# ---------------------------------------------------------------- queueing


def queue_mail(
    *,
    to_address: str,
    subject: str,
    body: str,
    kind: str,
    user_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue one mail in the caller's transaction (flushed, not committed).

    With a `dedupe_key` already in the outbox (sent or not) nothing is queued and None
    is returned, so a reminder job that runs twice mails each person once.
    """
    if dedupe_key is not None:
        taken = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if taken is not None:
            return None
    message = OutboxMessage(
        to_address=to_address,
        subject=subject[:300],
        body=body,
        kind=kind,
        user_id=user_id,
        dedupe_key=dedupe_key,
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    if dedupe_key is not None and db.session.get_bind().dialect.name == "postgresql":
        # Another transaction may queue the same key between the check and the insert:
        # the savepoint keeps the caller's transaction usable when the unique index says no.
        # (Not on SQLite: pysqlite turns an outermost SAVEPOINT into a commit, and SQLite
        # serialises writers anyway.)
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            return None
        return message
    db.session.add(message)
    db.session.flush()
    return message


def queue_mails(messages: Iterable[Mapping]) -> int:
    """Queue many mails in the caller's transaction at once (a publication's 8,000 agendas).

    Each mapping holds queue_mail's keywords. The rows go in by multi-row INSERTs (a
    thousand rows a statement); a `dedupe_key` already in the outbox, or twice in
    `messages`, is skipped by the database (ON CONFLICT DO NOTHING), so concurrent
    queuers never fail on each other. Returns how many were queued. Flushed, not committed.
    """
    now = utcnow()
    rows = [
        {
            "to_address": m["to_address"],
            "subject": m["subject"][:300],
            "body": m["body"],
            "kind": m["kind"],
            "user_id": m.get("user_id"),
            "dedupe_key": m.get("dedupe_key"),
            "status": "queued",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for m in messages
    ]
    if not rows:
        return 0
    db.session.flush()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage.__table__).on_conflict_do_nothing().returning(OutboxMessage.__table__.c.id)
    )
    return len(db.session.execute(statement, rows).all())


def requeue_failed(ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Give failed messages (all, or those in `ids`) a fresh set of attempts. Flushes only."""
    query = update(OutboxMessage).where(OutboxMessage.status == "failed")
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    result = db.session.execute(
        query.values(status="queued", attempts=0, next_attempt_at=now or utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
    return result.rowcount


# ---------------------------------------------------------------- mailers


class Mailer(Protocol):
    def __enter__(self) -> Mailer: ...
    def __exit__(self, *exc) -> None: ...
    def send(self, message: EmailMessage) -> None: ...


class ConnectionFailed(Exception):
    """The mail server could not be reached: stop this run, the rest of the batch waits."""


class LogMailer:
    """Writes each mail to the "ocopfair.mail" log: the embedded default without MAIL_SERVER."""

    def __enter__(self) -> LogMailer:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, message: EmailMessage) -> None:
        log.info(
            "mail (no MAIL_SERVER set, logged instead of sent) to %s: %s\n%s",
            message["To"],
            message["Subject"],
            message.get_content().rstrip(),
        )


class SmtpMailer:
    """Sends through one SMTP connection, opened on the first mail and closed at the end."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool = False,
        timeout: float = SMTP_TIMEOUT,
    ):
        self.host, self.port, self.username, self.password = host, port, username, password
        self.use_tls, self.timeout = use_tls, timeout
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def _connect(self) -> smtplib.SMTP:
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionFailed(f"{self.host}:{self.port}: {error}") from error
        return smtp

    def _close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as error:
            self._smtp = None
            raise ConnectionFailed(str(error)) from error
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
            raise  # this message's problem; the connection is still good for the next
        except (OSError, smtplib.SMTPException) as error:
            self._close()
            raise ConnectionFailed(str(error)) from error


def mailer_from_config(config: Mapping) -> Mailer:
    if not config.get("MAIL_SERVER"):
        return LogMailer()
    return SmtpMailer(
        host=config["MAIL_SERVER"],
        port=int(config.get("MAIL_PORT") or 25),
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
        use_tls=bool(config.get("MAIL_USE_TLS")),
    )


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The RFC 5322 message; UTF-8 subject and body (Vietnamese survives every hop)."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to_address
    email["Date"] = formatdate(usegmt=True)
    domain = sender.rpartition("@")[2].strip("> ") or "localhost"
    # Stable per outbox row: a resend after a crash carries the same Message-ID.
    email["Message-ID"] = f"<outbox-{message.id}.{int(message.created_at.timestamp())}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body, charset="utf-8")
    return email


# ---------------------------------------------------------------- sending


@dataclass
class SendCounts:
    sent: int = 0
    retried: int = 0  # failed this time, queued again with back-off
    failed: int = 0  # gave up after MAX_ATTEMPTS; kept with status "failed"
    deferred: int = 0  # claimed but not tried because the server was unreachable
    claimed: int = 0  # taken for this run

    def __iadd__(self, other: SendCounts) -> SendCounts:
        for name in ("sent", "retried", "failed", "deferred", "claimed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failure, at most MAX_BACKOFF."""
    return min(timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


def _due(now: datetime):
    return (OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)


def _claim(now: datetime, batch: int) -> list[int]:
    """Take up to `batch` due messages for this sender and commit the claim.

    One statement: on PostgreSQL the candidates are locked FOR UPDATE SKIP LOCKED (another
    sender takes others); on SQLite the UPDATE holds the write lock, and its condition is
    checked again under it.
    """
    candidates = (
        select(OutboxMessage.id)
        .where(*_due(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        # A CTE, evaluated once: a subquery in WHERE would be run again for each row and,
        # seeing the claimed rows no longer due, take the next ones (past the LIMIT).
        .cte("candidates")
    )
    try:
        claimed = list(
            db.session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id == candidates.c.id, *_due(now))
                .values(next_attempt_at=now + CLAIM_LEASE)
                .returning(OutboxMessage.id),
                execution_options={"synchronize_session": False},
            )
        )
        db.session.commit()
    except OperationalError as error:  # SQLite: another sender holds the write lock
        db.session.rollback()
        log.info("outbox busy (another sender is claiming): %s", error)
        return []
    return sorted(claimed)


def send_due(
    mailer_or_config: Mailer | Mapping | None = None, now: datetime | None = None, batch: int = 50
) -> SendCounts:
    """Send queued mail whose time has come; commits after each message.

    `mailer_or_config` is a mailer (anything with `send(EmailMessage)` used as a context
    manager) or a config mapping with the MAIL_* settings; default the app's config.
    Call it outside a request's transaction: it commits the session.
    """
    config = current_app.config
    if mailer_or_config is None:
        mailer = mailer_from_config(config)
    elif isinstance(mailer_or_config, Mapping):
        config = mailer_or_config
        mailer = mailer_from_config(mailer_or_config)
    else:
        mailer = mailer_or_config
    sender = config.get("MAIL_DEFAULT_SENDER") or "ocopfair@localhost"
    now = now or utcnow()
    counts = SendCounts()
    db.session.commit()  # start from a clean transaction; nothing of the caller's is pending
    claimed = _claim(now, batch)
    if not claimed:
        return counts
    counts.claimed = len(claimed)
    # Built before the first commit expires the rows: one query for the batch, not one a mail.
    emails = [
        (message.id, build_email(message, sender))
        for message in db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(claimed), OutboxMessage.status == "queued")
            .order_by(OutboxMessage.id)
        )
    ]
    with mailer:
        for position, (message_id, email) in enumerate(emails):
            try:
                mailer.send(email)
            except ConnectionFailed as error:
                _record_failure(db.session.get(OutboxMessage, message_id), error, now, counts)
                _release([i for i, _email in emails[position + 1 :]], now, counts)
                db.session.commit()
                log.warning("mail server unreachable; %d message(s) wait for the next run", counts.deferred)
                break
            except Exception as error:
                _record_failure(db.session.get(OutboxMessage, message_id), error, now, counts)
            else:
                db.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id)
                    .values(status="sent", sent_at=utcnow(), last_error=None),
                    execution_options={"synchronize_session": False},
                )
                counts.sent += 1
            db.session.commit()
    return counts


def _record_failure(message: OutboxMessage, error: Exception, now: datetime, counts: SendCounts) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        counts.failed += 1
        log.error(
            "mail %s to %s failed %d times, giving up: %s",
            message.id,
            message.to_address,
            message.attempts,
            error,
        )
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        counts.retried += 1
        log.warning(
            "mail %s to %s failed (attempt %d), retry at %s: %s",
            message.id,
            message.to_address,
            message.attempts,
            message.next_attempt_at,
            error,
        )


def _release(message_ids: list[int], now: datetime, counts: SendCounts) -> None:
    """Hand back claimed messages that were not tried, due again at once."""
    if not message_ids:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == "queued")
        .values(next_attempt_at=now),
        execution_options={"synchronize_session": False},
    )
    counts.deferred += len(message_ids)


def send_outbox(budget: float = SEND_BUDGET_SECONDS, batch: int = JOB_BATCH) -> SendCounts:
    """The "outbox-send" job: the clock enqueues it every minute, a worker runs it (app context).

    Batch after batch until nothing is due, the server is unreachable, or `budget` seconds
    have gone (the next minute's job goes on): a publication's thousands of agendas leave
    within minutes, not at one batch a minute.
    """
    counts = SendCounts()
    deadline = time.monotonic() + budget
    while True:
        run = send_due(current_app.config, batch=batch)
        counts += run
        if run.claimed < batch or run.deferred or time.monotonic() >= deadline:
            break
    if counts.sent or counts.retried or counts.failed:
        log.info("outbox: %s", counts)
    return counts


# ---------------------------------------------------------------- receivers


@signals.account_mail.connect
def _queue_account_mail(user, *, subject: str, body: str, kind: str, **_extra) -> None:
    """Mail a lower module (accounts: a password-reset link) wrote for one account."""
    queue_mail(to_address=user.email, subject=subject, body=body, kind=kind, user_id=user.id)
