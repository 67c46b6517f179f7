"""Flask CLI commands: seeding (and later the scheduler and nudges)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def register_commands(app: Flask) -> None:
    """Attach the `seed` group."""
    seed = AppGroup("seed", help="Load demo or benchmark data.")

    @seed.command("demo")
    def seed_demo() -> None:
        """Load the demo municipalities (idempotent)."""
        from seeds.demo import load_demo

        summary = load_demo(app)
        click.echo(summary)

    @seed.command("scale")
    @click.option("--recipients", default=400_000, show_default=True)
    @click.option("--opportunities", default=50_000, show_default=True)
    @click.option("--seed", "seed_", default=42, show_default=True)
    def seed_scale(recipients: int, opportunities: int, seed_: int) -> None:
        """Replace the national-scale benchmark data (COPY; separate from the demo)."""
        from seeds.scale import load_scale

        click.echo(load_scale(app, recipients=recipients, opportunities=opportunities, seed=seed_))

    app.cli.add_command(seed)

    from api.feed.cli import register_matching_commands
    from api.scheduler import register_scheduler

    register_matching_commands(app)

    register_scheduler(app)
