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

    app.cli.add_command(seed)
