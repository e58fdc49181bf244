"""`flask demo ...`: the deterministic demo data set."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.tasks import progress
from app.transaction import transaction

PARTS = {
    "logins": "demo logins",
    "producers": "producers and their products",
    "buyers": "buyers and their demand",
    "fair": "the demo fair",
}


class ProgressBars:
    """What the loader reports, as a click progress bar per part (a line per part when the
    output is not a terminal, as under `make run`'s log)."""

    def __init__(self):
        self.bar = None

    def phase(self, name: str, total: int | None = None) -> None:
        self.close()
        self.bar = click.progressbar(length=total or 0, label=f"  {PARTS.get(name, name)}", show_pos=True)
        self.bar.__enter__()

    def advance(self, by: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(by)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


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
    click.echo("Loading the demo data:")
    bars = ProgressBars()
    try:
        with transaction(), progress.reporting(bars):
            summary = demo.load_demo(seed if seed is not None else current_app.config["DEMO_SEED"])
    finally:
        bars.close()
    click.echo(summary.describe())


@demo_cli.command("logins")
@with_appcontext
def logins():
    """Print the demo logins."""
    from app.demo import services as demo

    click.echo(demo.describe_logins())
