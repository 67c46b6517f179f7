"""Flask CLI commands of the service itself; `flask seed` comes from seeds/."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach the scheduler and matching commands; seeds/cli.py plugs `seed` in itself."""
    from api.feed.cli import register_matching_commands
    from api.scheduler import register_scheduler
    from api.simulation.cli import register_simulation_commands

    register_matching_commands(app)
    register_scheduler(app)
    register_simulation_commands(app)
