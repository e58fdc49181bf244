"""`flask accounts ...`: manage accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.accounts import services
from app.accounts.models import ROLES
from app.errors import ServiceError
from app.transaction import transaction


@click.group("accounts")
def accounts_cli():
    """Manage user accounts."""


@accounts_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.password_option()
@with_appcontext
def create(email: str, full_name: str, role: str, password: str):
    """Create an account (organisers and admins are created this way)."""
    try:
        with transaction():
            user = services.create_user(email=email, password=password, full_name=full_name, role=role)
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"created {user.role} {user.email}")
