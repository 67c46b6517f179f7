"""GET /v1/opportunities/{id} for a recipient (with distance and reasons) against the feed.

Prints p50/p95 of the detail for a recipient and for a coach, of the feed, the SQL statements
each costs, and whether every detail agrees with the feed (distance and reasons). Run on the demo
data: `flask --app wsgi seed demo`, then `.venv/bin/python -m bench.opportunity_detail`.
"""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import event, text

from api.app import create_app
from api.db import session_scope
from bench._common import login, summary, timed
from seeds.demo import DEMO_PASSWORD


def main(runs: int = 200) -> None:
    app = create_app()
    with session_scope(app) as s:
        row = s.execute(
            text(
                "select u.email from users u join recipient_profiles p on p.user_id = u.id"
                " join municipalities m on m.id = u.municipality_id"
                " where m.slug = 'amsterdam' and p.postcode_area in ('1094', '1095')"
                " and cardinality(p.availability) > 0 order by u.email limit 1"
            )
        ).first()
        if row is None:
            sys.exit("No demo data: run `flask --app wsgi seed demo` first.")
        engine = s.get_bind()
    client = app.test_client()
    person = login(client, row[0], DEMO_PASSWORD)
    coach = login(client, "coach1.amsterdam@example.org", DEMO_PASSWORD)
    items = client.get("/v1/me/feed?limit=20", headers=person).get_json()["items"]
    if not items:
        sys.exit("The demo person has an empty feed.")
    agree = 0
    for item in items:
        opp = item["opportunity"]
        got = client.get(f"/v1/opportunities/{opp['id']}", headers=person).get_json()
        agree += got["distanceKm"] == item["distanceKm"] and got["reasons"] == item["reasons"]
        print(f"  {item['distanceKm']:5.1f} km  {opp['address']}")
    print(f"detail agrees with the feed: {agree} of {len(items)}")

    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    one = items[0]["opportunity"]["id"]
    for name, headers, url in (
        ("detail (recipient)", person, f"/v1/opportunities/{one}"),
        ("detail (coach)", coach, f"/v1/opportunities/{one}"),
        ("feed (20 items)", person, "/v1/me/feed?limit=20"),
    ):
        statements = 0
        client.get(url, headers=headers)
        once = statements
        ms = timed(lambda h=headers, u=url: client.get(u, headers=h), runs=runs)
        print(f"{summary(name, ms)} sql={once}")
    event.remove(engine, "before_cursor_execute", count)


if __name__ == "__main__":
    main()
