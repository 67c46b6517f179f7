"""p50/p95 of GET /v1/caseload for a coach with 350 people on the national-scale data.

Run: `flask --app wsgi seed scale` once, then `.venv/bin/python -m bench.caseload`.
"""

from __future__ import annotations

import sys

from sqlalchemy import text

from api.app import create_app
from api.db import session_scope
from bench._common import login, summary, timed
from seeds.scale import SCALE_PASSWORD


def main(runs: int = 200) -> None:
    app = create_app()
    with session_scope(app) as s:
        row = s.execute(
            text(
                "select c.email, count(r.id) from users c join users r on r.coach_id = c.id"
                " where c.role = 'coach' and c.email like '%@scale.example.org'"
                " group by c.email order by count(r.id) desc, c.email limit 1"
            )
        ).first()
        if row is None:
            sys.exit("No scale data: run `flask --app wsgi seed scale` first.")
        facts = s.execute(
            text(
                "select (select count(*) from users where role = 'recipient'),"
                " (select count(*) from matches), (select count(*) from checkins),"
                " (select count(*) from inbox_messages)"
            )
        ).one()
    client = app.test_client()
    headers = login(client, row[0], SCALE_PASSWORD)
    print(
        f"data: {facts[0]} recipients, {facts[1]} matches, {facts[2]} check-ins, "
        f"{facts[3]} inbox messages; coach {row[0]} with {row[1]} people"
    )
    for url in (
        "/v1/caseload?limit=20",
        "/v1/caseload?limit=100",
        "/v1/caseload?limit=20&flag=request_waiting",
    ):

        def one(url: str = url) -> None:
            resp = client.get(url, headers=headers)
            assert resp.status_code == 200, resp.get_json()

        print(summary(f"GET {url}", timed(one, runs=runs)))
    first = client.get("/v1/caseload?limit=20", headers=headers).get_json()
    print(f"total {first['total']}, counts per flag: {first['counts']}")


if __name__ == "__main__":
    main()
