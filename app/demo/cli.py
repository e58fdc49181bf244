"""`flask demo ...`: the deterministic demo data set."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.transaction import transaction


@click.group("demo")
def demo_cli():
    """Demo data."""


@demo_cli.command("load")
@click.option("--seed", type=int, default=None, help="Random seed (default: DEMO_SEED).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def load(seed: int | None, if_empty: bool):
    """Load the demo organisations, products, buyers and logins."""
    from app.demo import services as demo

    if if_empty and not demo.database_is_empty():
        click.echo("database not empty: demo data not loaded")
        return
    with transaction():
        summary = demo.load_demo(seed if seed is not None else current_app.config["DEMO_SEED"])
    click.echo(summary.describe())


@demo_cli.command("logins")
@with_appcontext
def logins():
    """Print the demo logins."""
    from app.demo import services as demo

    click.echo(demo.describe_logins())
