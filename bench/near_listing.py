"""p50/p95 of GET /v1/opportunities?near=... on the national-scale data.

Run: `flask --app wsgi seed scale` once, then `.venv/bin/python -m bench.near_listing`.
"""

from __future__ import annotations

import random
import sys

from sqlalchemy import text

from api.app import create_app
from api.db import session_scope
from bench._common import login, summary, timed
from seeds.scale import SCALE_PASSWORD


def main(runs: int = 300) -> None:
    app = create_app()
    with session_scope(app) as s:
        slug = s.execute(
            text("select slug from municipalities where slug like 'scale-%' order by slug limit 1")
        ).scalar()
        if slug is None:
            sys.exit("No scale data: run `flask --app wsgi seed scale` first.")
        big = s.execute(
            text(
                "select m.slug, count(*) from opportunities o join municipalities m"
                " on m.id = o.municipality_id where m.slug like 'scale-%'"
                " group by m.slug order by 2 desc limit 1"
            )
        ).one()
        points = s.execute(
            text(
                "select ST_Y(home_area::geometry), ST_X(home_area::geometry)"
                " from recipient_profiles p join municipalities m on m.id = p.municipality_id"
                " where m.slug = :slug limit 500"
            ),
            {"slug": big[0]},
        ).all()
        totals = s.execute(
            text("select (select count(*) from opportunities), (select count(*) from users)")
        ).one()
    client = app.test_client()
    headers = login(client, f"coach1.{big[0]}@scale.example.org", SCALE_PASSWORD)
    rng = random.Random(7)
    sizes: list[int] = []

    def one() -> None:
        lat, lon = rng.choice(points)
        resp = client.get(
            f"/v1/opportunities?near={lat},{lon}&radiusKm=5&limit=20", headers=headers
        )
        assert resp.status_code == 200
        sizes.append(len(resp.get_json()["items"]))

    print(
        f"data: {totals[0]} opportunities, {totals[1]} users; municipality {big[0]} "
        f"with {big[1]} opportunities"
    )
    print(summary("GET /v1/opportunities?near=…&radiusKm=5&limit=20", timed(one, runs=runs)))
    print(f"items per page: mean {sum(sizes) / len(sizes):.1f}")


if __name__ == "__main__":
    main()
