"""`flask seed demo|scale` as a Flask CLI plugin (entry point), so api/ never imports seeds/."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

seed = AppGroup("seed", help="Load demo or benchmark data.")


@seed.command("demo")
def seed_demo() -> None:
    """Load the demo municipalities (idempotent)."""
    from seeds.demo import load_demo

    click.echo(load_demo(current_app._get_current_object()))  # type: ignore[attr-defined]


@seed.command("scale")
@click.option("--recipients", default=400_000, show_default=True)
@click.option("--opportunities", default=50_000, show_default=True)
@click.option("--seed", "seed_", default=42, show_default=True)
def seed_scale(recipients: int, opportunities: int, seed_: int) -> None:
    """Replace the national-scale benchmark data (COPY; separate from the demo)."""
    from seeds.scale import load_scale

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(load_scale(app, recipients=recipients, opportunities=opportunities, seed=seed_))
