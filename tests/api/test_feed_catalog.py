"""The feed ranks a cached catalogue per worker: it must never show what changed since."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.feed.catalog import CATALOG, keep_out_of_collections
from api.municipalities.models import Municipality
from tests.factories import (
    auth_headers,
    create_municipality,
    create_opportunity,
    create_team,
    create_user,
)


@pytest.fixture()
def w(app, client, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    other = create_user(session, municipality=m, role="recipient", coach=coach)
    h = {
        "person": auth_headers(app, session, person),
        "other": auth_headers(app, session, other),
        "coach": auth_headers(app, session, coach),
    }
    for who in ("person", "other"):
        body = {
            "postcode": "1055",
            "availability": ["tue-morning"],
            "interests": ["koken"],
            "dutchLevel": "B1",
            "ladderStep": 3,
            "travelMode": "bike",
            "maxDistanceKm": 5,
        }
        assert client.patch("/v1/me/profile", json=body, headers=h[who]).status_code == 200
    return {"m": m, "team": team, "h": h, "session": session}


def _feed(client, headers: dict[str, str]) -> list[str]:
    resp = client.get("/v1/me/feed?limit=50", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return [i["opportunity"]["title"] for i in resp.get_json()["items"]]


def _version(session: Session, m: Municipality) -> int:
    return int(session.scalar(select(Municipality.catalog_version).where(Municipality.id == m.id)))


def test_every_opportunity_change_gives_a_new_version(w) -> None:
    session, m = w["session"], w["m"]
    seen = {_version(session, m)}
    opp = create_opportunity(session, team=w["team"], slots=["tue-morning"])
    seen.add(_version(session, m))
    opp.title = "Anders"
    session.flush()
    seen.add(_version(session, m))
    session.delete(opp)
    session.flush()
    seen.add(_version(session, m))
    assert len(seen) == 4


def test_feed_shows_a_new_opportunity_and_hides_a_full_one_at_once(client, w) -> None:
    session, h = w["session"], w["h"]
    soup = create_opportunity(session, team=w["team"], title="Soep koken", capacity=1)
    assert _feed(client, h["person"]) == ["Soep koken"]
    loads = CATALOG.loads
    assert _feed(client, h["person"]) == ["Soep koken"]
    assert CATALOG.loads == loads  # nothing changed: the cached catalogue served it

    create_opportunity(session, team=w["team"], title="Taart bakken", slots=["tue-morning"])
    assert sorted(_feed(client, h["person"])) == ["Soep koken", "Taart bakken"]

    # The other person takes the last place of the soup: it leaves everyone's feed.
    req = client.post("/v1/me/matches", json={"opportunityId": str(soup.id)}, headers=h["other"])
    assert req.status_code == 201, req.get_json()
    ok = client.post(f"/v1/matches/{req.get_json()['id']}/approve", headers=h["coach"])
    assert ok.status_code == 200, ok.get_json()
    assert _feed(client, h["person"]) == ["Taart bakken"]

    soup.status = "paused"
    session.flush()
    assert _feed(client, h["other"]) == ["Taart bakken"]


class _Cycle:
    """Garbage only the cyclic collector can free."""

    def __init__(self) -> None:
        self.me = self


def test_a_served_catalogue_is_out_of_the_collectors_walks_and_keeps_no_garbage(
    client, w, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the server runs it: a full collection does not walk the tables (it stopped a worker
    for 150-360 ms), and garbage left before a load is still freed, not frozen forever."""
    session, h = w["session"], w["h"]
    create_opportunity(session, team=w["team"], title="Soep koken", slots=["tue-morning"])
    monkeypatch.setattr(CATALOG, "after_load", keep_out_of_collections)
    gc.disable()  # only an explicit collection may free the cycle below
    left = _Cycle()
    gone = weakref.ref(left)
    del left
    try:
        assert _feed(client, h["person"]) == ["Soep koken"]
        assert gone() is None  # collected before the freeze
        table = CATALOG.table(session, w["m"].id)
        walked = {id(o) for o in gc.get_objects()}
        assert gc.get_freeze_count() > 0
        assert id(table.candidates) not in walked and id(table.candidates[0]) not in walked
        assert _feed(client, h["person"]) == ["Soep koken"]  # still served as before
    finally:
        gc.unfreeze()  # the test process's objects collectable again
        gc.enable()


def test_kind_filter_and_paging_on_the_catalogue(client, w) -> None:
    session, h = w["session"], w["h"]
    for i in range(5):
        create_opportunity(session, team=w["team"], title=f"Klus {i}", slots=["tue-morning"])
    create_opportunity(
        session,
        team=w["team"],
        title="Taalcafé",
        kind="language_course",
        teaches_level="B2",
        slots=["tue-morning"],
    )
    everything = _feed(client, h["person"])
    assert len(everything) == 6
    only = client.get("/v1/me/feed?kind=language_course", headers=h["person"]).get_json()
    assert [i["opportunity"]["title"] for i in only["items"]] == ["Taalcafé"]
    pages: list[str] = []
    cursor = None
    while True:
        url = "/v1/me/feed?limit=4" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=h["person"]).get_json()
        pages += [i["opportunity"]["title"] for i in body["items"]]
        cursor = body["nextCursor"]
        if not cursor:
            break
    assert pages == everything


def test_later_pages_rank_at_the_moment_of_the_first(client, w) -> None:
    from datetime import UTC, datetime, timedelta

    from api.auth.security import Actor
    from api.core.paging import as_int, decode_cursor
    from api.feed.service import personal_feed
    from api.users.models import User

    session = w["session"]
    for i in range(6):
        create_opportunity(session, team=w["team"], title=f"Klus {i}", slots=["tue-morning"])
    person = session.scalars(
        select(User).where(User.municipality_id == w["m"].id, User.role == "recipient")
    ).first()
    actor = Actor(person.id, "recipient", w["m"].id, None)
    t = datetime(2026, 12, 1, 10, tzinfo=UTC)
    whole = personal_feed(session, actor=actor, limit=6, now=t).items
    first = personal_feed(session, actor=actor, limit=2, now=t)
    moment = decode_cursor(first.next_cursor, as_int, as_int)
    assert moment is not None and moment[1] == int(t.timestamp() * 1000)
    second = personal_feed(
        session, actor=actor, limit=2, cursor=first.next_cursor, now=t + timedelta(minutes=20)
    )
    ids = [i.opportunity.id for i in first.items + second.items]
    assert ids == [i.opportunity.id for i in whole[:4]]
    later = decode_cursor(second.next_cursor, as_int, as_int)
    assert later is not None and later[1] == moment[1]
    # a cursor from long ago still works; it ranks now
    late = personal_feed(
        session, actor=actor, limit=2, cursor=first.next_cursor, now=t + timedelta(hours=3)
    )
    assert len(late.items) == 2
    fresh = decode_cursor(late.next_cursor, as_int, as_int)
    assert fresh is not None and fresh[1] > moment[1]


def test_feed_body_is_the_schemas_dump_byte_for_byte(app, client, w) -> None:
    """The feed writes kept JSON per opportunity; the body is what FeedPageSchema would give."""
    from datetime import UTC, datetime, timedelta

    from flask import Response

    from api.auth.security import Actor
    from api.feed.schemas import FeedPageSchema
    from api.feed.service import feed_response, personal_feed
    from api.users.models import User

    session, team = w["session"], w["team"]
    titles = ["Soep koken", "Café “de Hoek” – ‘t Zonnetje", 'Quote " and \\ slash', "Tuin 🌱"]
    for i, title in enumerate(titles * 2):
        create_opportunity(session, team=team, title=f"{title} {i}", slots=["tue-morning"])
    team.name = "Buurthuis Ñoño"
    session.flush()
    person = session.scalars(
        select(User).where(User.municipality_id == w["m"].id, User.role == "recipient")
    ).first()
    actor = Actor(person.id, "recipient", w["m"].id, None)
    t = datetime(2026, 12, 1, 10, tzinfo=UTC)

    def expected(**kw: Any) -> bytes:
        page = personal_feed(session, actor=actor, now=t, **kw)
        dumped = FeedPageSchema().dump(page)
        return (app.json.dumps(dumped, separators=(",", ":")) + "\n").encode()

    with app.test_request_context("/v1/me/feed"):
        for kw in ({"limit": 3}, {"limit": 20}, {"limit": 3, "kind": "volunteer"}):
            for _ in range(2):  # rendered, then from the kept fragments
                got, _ = feed_response(session, actor=actor, now=t, **kw)
                assert isinstance(got, Response)
                assert got.get_data() == expected(**kw)
        first = personal_feed(session, actor=actor, limit=3, now=t)
        later = t + timedelta(minutes=5)
        got, _ = feed_response(session, actor=actor, limit=3, cursor=first.next_cursor, now=later)
        assert isinstance(got, Response)
        page = personal_feed(session, actor=actor, limit=3, cursor=first.next_cursor, now=later)
        want = app.json.dumps(FeedPageSchema().dump(page), separators=(",", ":")) + "\n"
        assert got.get_data() == want.encode()
    # the route gives the same items; a renamed team shows at once (a new catalogue version)
    team.name = "Nieuwe naam"
    session.flush()
    items = client.get("/v1/me/feed?limit=50", headers=w["h"]["person"]).get_json()["items"]
    assert len(items) == 8 and {i["opportunity"]["team"]["name"] for i in items} == {"Nieuwe naam"}


def test_a_change_to_the_interests_reaches_the_feed_at_once(w, client) -> None:
    """The feed keeps the taxonomy per worker by its version; a trigger renews the version."""
    from sqlalchemy import text

    session, team = w["session"], w["team"]
    create_opportunity(session, team=team, title="Brood bakken", interests=["bakken"])
    session.flush()

    def reason_codes() -> set[str]:
        resp = client.get("/v1/me/feed?limit=50", headers=w["h"]["person"])
        assert resp.status_code == 200
        (item,) = [
            i for i in resp.get_json()["items"] if i["opportunity"]["title"] == "Brood bakken"
        ]
        return {r["code"] for r in item["reasons"]}

    version = "select version from taxonomy_version"
    assert "interest" in reason_codes()  # baking is food and drink, as cooking is
    before = session.scalar(text(version))
    session.execute(text("select key from interests")).all()  # reading changes nothing
    assert session.scalar(text(version)) == before
    session.execute(
        text("update interests set category_key = 'natuur-dieren' where key = 'bakken'")
    )
    assert session.scalar(text(version)) != before
    assert "interest" not in reason_codes()  # no longer related: not cached from before
