"""`flask matching batch`: everyone's top k, timed per phase."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup

from api.db import session_scope, utcnow


def register_matching_commands(app: Flask) -> None:
    """Attach the `matching` group."""
    matching = AppGroup("matching", help="Batch matching.")

    @matching.command("batch")
    @click.option("--top", "k", default=20, show_default=True, help="Suggestions per person.")
    @click.option("--municipality", "slug", default=None, help="Only this municipality (slug).")
    @click.option("--out", "out_path", default=None, help="JSON lines file ('-' for stdout).")
    @click.option("--at", "at", default=None, help="The moment to rank at (ISO 8601).")
    @click.option(
        "--sequential",
        is_flag=True,
        help="Load, score and write one after another (to time each phase on its own).",
    )
    def batch(
        k: int, slug: str | None, out_path: str | None, at: str | None, sequential: bool
    ) -> None:
        """Top k for every recipient: {recipientId, items:[{opportunityId, score}]} per line."""
        from api.feed.national import national_top_k

        now = utcnow()
        if at:
            now = datetime.fromisoformat(at)
            now = now if now.tzinfo else now.replace(tzinfo=UTC)
        started = time.perf_counter()
        out = None
        if out_path == "-":
            out = sys.stdout
        elif out_path:
            out = open(out_path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        try:
            with session_scope(app) as session:
                t = national_top_k(
                    session,
                    now=now,
                    k=k,
                    out=out,
                    municipality_slug=slug,
                    overlap=not sequential,
                )
        finally:
            if out is not None and out is not sys.stdout:
                out.close()
        wall = time.perf_counter() - started
        click.echo(
            f"{t.people} people, {t.opportunities} opportunities, {t.municipalities} "
            f"municipalities: warm-up {t.warm_up:.2f} s, loading {t.loading:.2f} s "
            f"(CPU {t.loading_cpu:.2f} s; {t.waiting:.2f} s not hidden behind scoring), "
            f"scoring {t.scoring:.2f} s (CPU {t.scoring_cpu:.2f} s), "
            f"writing {t.writing:.2f} s, wall {wall:.2f} s",
            err=out is sys.stdout,
        )

    app.cli.add_command(matching)
