"""`flask outbox ...`: send queued mail now, look at the outbox, give failed mail another go."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.extensions import db
from app.notifications import services
from app.notifications.models import OutboxMessage
from app.transaction import transaction


@click.group("outbox")
def outbox_cli():
    """The mail outbox."""


@outbox_cli.command("send")
@click.option("--batch", default=50, show_default=True, help="At most this many messages.")
@with_appcontext
def send(batch: int):
    """Send the queued mail that is due (the scheduler does this every minute)."""
    counts = services.send_due(batch=batch)
    click.echo(
        f"sent {counts.sent}, retry later {counts.retried}, failed {counts.failed}, "
        f"waiting for the server {counts.deferred}"
    )


@outbox_cli.command("status")
@with_appcontext
def status():
    """How many messages are queued, sent and failed."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .group_by(OutboxMessage.status)
        .order_by(OutboxMessage.status)
    ).all()
    for state, count in rows:
        click.echo(f"{state}: {count}")
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == "failed").order_by(OutboxMessage.id)
    ):
        click.echo(f"failed #{message.id} to {message.to_address}: {message.last_error}")


@outbox_cli.command("retry-failed")
@with_appcontext
def retry_failed():
    """Queue every failed message again with a fresh set of attempts."""
    with transaction():
        count = services.requeue_failed()
    click.echo(f"{count} message(s) queued again")
