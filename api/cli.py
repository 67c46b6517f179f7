"""Flask CLI commands of the service itself (the scheduler); `flask seed` comes from seeds/."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach the scheduler commands; seeds/cli.py plugs `seed` in through an entry point."""
    from api.scheduler import register_scheduler

    register_scheduler(app)
