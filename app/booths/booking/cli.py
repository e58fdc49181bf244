"""`flask booths ...`: booth allocation from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.accounts.services import find_user_by_email
from app.booths.booking import services as booking
from app.errors import PermissionDenied, ServiceError
from app.events.services import event_by_slug
from app.transaction import transaction


@click.group("booths")
def booths_cli():
    """Booths of an event."""


@booths_cli.command("allocate")
@click.argument("slug")
@click.option("--as", "email", required=True, help="E-mail of one of the event's organisers.")
@with_appcontext
def allocate(slug: str, email: str):
    """Allocate every pending booth request of the event SLUG (one transaction)."""
    try:
        with transaction():
            event = event_by_slug(slug)
            actor = find_user_by_email(email)
            if event is None:
                raise ServiceError(f"no event with the address {slug!r}")
            if actor is None:
                raise ServiceError(f"no account {email!r}")
            report = booking.allocate_all(actor, event)
    except PermissionDenied:
        click.echo(f"error: {email} does not organise {slug}", err=True)
        raise SystemExit(2) from None
    except ServiceError as error:
        click.echo(f"error: {error.message}", err=True)
        raise SystemExit(2) from None
    click.echo(f"{len(report.placed)} placed, {len(report.unplaced)} not placed in {report.seconds:.2f} s")
    for request, why in report.unplaced:
        click.echo(f"  not placed: {request.registration.organisation.name}: {why}")
