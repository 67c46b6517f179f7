"""The personal feed: the compiled matcher ranks the cached catalogue; the engine says why."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, cast

import numba
import psycopg
from flask import Response, current_app
from flask.json.provider import DefaultJSONProvider
from psycopg.rows import namedtuple_row
from sqlalchemy.orm import Session

from api.auth.security import SIGNED_IN_SQL, Actor, SignInEnded, sign_in_params
from api.core.paging import as_int, decode_cursor, encode_cursor
from api.db import driver_connection, utcnow
from api.errors import InvalidInput
from api.feed.batch import distance_m
from api.feed.candidates import load_shown
from api.feed.catalog import CATALOG, CatalogEntry
from api.matches.status import OPEN_STATUSES, TURNED_DOWN
from api.municipalities.policy import PolicySettings
from api.opportunities.models import Opportunity
from api.opportunities.schemas import OpportunitySchema
from api.opportunities.seen import Seen
from api.profiles.models import RecipientProfile
from api.profiles.service import get_profile
from api.ranking.adapter import (
    Taxonomy,
    load_taxonomy,
    person_from_profile,
    shown_reason,
    to_candidate,
    weights_from_policy,
)
from matching import Candidate, Person, Reason, reasons_for
from matching.prepared import Prepared, prepare
from matching.reasons import ReasonTexts, reasons_prepared, shared_texts
from matching.vector import PersonBatch, top_k

# How long a next-page cursor keeps the first page's moment of ranking.
PAGE_MOMENT_KEPT = timedelta(hours=1)


@dataclass(frozen=True)
class FeedItem:
    """One suggestion with the reasons it is shown."""

    opportunity: Any
    score: float
    distance_km: float
    reasons: list[dict[str, str]]


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    profile_complete: bool
    language: str = "nl"  # of the reasons


def _reasons(
    person: Person, candidate: Candidate, taxonomy: Taxonomy, now: datetime
) -> list[dict[str, str]]:
    """The engine's reasons for one pair, as the feed and the detail show them."""
    found = reasons_for(
        person, candidate, categories=taxonomy.categories, labels=taxonomy.labels, now=now
    )
    return [shown_reason(x) for x in found]


def explain(
    session: Session,
    *,
    actor: Actor,
    opportunity: Opportunity,
    language: str | None = None,
    now: datetime | None = None,
) -> Seen | None:
    """Distance and reasons of one opportunity for the signed-in recipient, as the feed gives.

    The same distance (the compiled ranker's haversine on PostGIS's sphere, from the same
    points), the engine's reasons for the same person and candidate, in the same language
    (`language`, the request's, else the profile's). None for anyone who is not a recipient with
    a home area.
    """
    if actor.role != "recipient":
        return None
    profile = session.get(RecipientProfile, actor.user_id)
    if profile is None or profile.home_lat is None or profile.home_lon is None:
        return None
    now = now or utcnow()
    metres = distance_m(profile.home_lat, profile.home_lon, opportunity.lat, opportunity.lon)
    km = metres / 1000.0
    candidate = to_candidate(opportunity, metres)
    language = language or profile.preferred_language
    person = replace(person_from_profile(profile), language=language)
    reasons = _reasons(person, candidate, load_taxonomy(session), now)
    return Seen(distance_km=round(km, 1), reasons=reasons, language=language)


# Everything a feed request needs besides the actor and the catalogue, in one round trip: the
# profile's matching columns, the catalogue version, the policy as stored, the taxonomy's version
# (a trigger renews it with any change to the interests; read before the rows, as the catalogue's),
# and the person's matches that may exclude an opportunity (open ones, and turned down ones with
# the moment; the policy's days are applied here in Python).
# (Statuses are written into the SQL: constants of ours, and arrays as parameters cost more.)
_OPEN = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
_TURNED = ", ".join(f"'{s}'" for s in TURNED_DOWN)
_CONTEXT_SQL = f"""
    select {{signed_in}} as signed_in, p.user_id as profile_user,
           p.interests, p.availability, p.dutch_level, p.ladder_step, p.max_distance_km,
           p.accessibility_needs, p.preferred_language,
           st_y(p.home_area::geometry) as home_lat, st_x(p.home_area::geometry) as home_lon,
           m.catalog_version,
           (select settings::text from policies where municipality_id = :mid) as policy,
           (select version::text from taxonomy_version where id = 1) as taxonomy,
           array(select x.opportunity_id::text from matches x
                 where x.recipient_id = :uid and x.status in ({_OPEN})) as open_ids,
           array(select x.opportunity_id::text from matches x
                 where x.recipient_id = :uid and x.status in ({_TURNED})
                 order by x.id) as turned_ids,
           array(select x.updated_at from matches x
                 where x.recipient_id = :uid and x.status in ({_TURNED})
                 order by x.id) as turned_at
    from (select 1) one
    left join recipient_profiles p on p.user_id = :uid
    left join municipalities m on m.id = :mid
    """  # noqa: S608 - constants of ours


def _driver_sql(sql: str) -> str:
    """`:name` parameters as the driver's own `%(name)s` (not the `::type` casts)."""
    return re.sub(r"(?<!:):([a-z_]+)", r"%(\1)s", sql)


# One round trip: the person's context, and (for a claimed actor) whether the sign-in holds.
# Run on the driver's cursor: SQLAlchemy's statement and result machinery around this one
# row was a third of the query's cost in the process (measured).
_CONTEXT = _driver_sql(_CONTEXT_SQL.format(signed_in="true"))
_CONTEXT_SIGNED_IN = _driver_sql(_CONTEXT_SQL.format(signed_in=SIGNED_IN_SQL))


def _context_row(session: Session, sql: str, params: dict[str, Any]) -> Any:
    """The context query's one row (attributes by column name), on the session's connection."""
    with driver_connection(session) as dbapi:
        conn = cast("psycopg.Connection[Any]", dbapi)
        with conn.cursor(row_factory=namedtuple_row) as cur:
            cur.execute(sql, params)
            return cur.fetchone()


class _Memo:
    """Per worker: policies by their stored text, the taxonomy by its version."""

    def __init__(self) -> None:
        self.policies: dict[str | None, PolicySettings] = {}
        self.taxonomy: tuple[str | None, Taxonomy] | None = None

    def policy(self, stored: str | None) -> PolicySettings:
        found = self.policies.get(stored)
        if found is None:
            if len(self.policies) > 1000:
                self.policies.clear()
            found = PolicySettings.from_stored(json.loads(stored) if stored else None)
            self.policies[stored] = found
        return found

    def taxonomy_at(self, session: Session, version: str | None) -> Taxonomy:
        """The taxonomy as of `version` or newer (its rows are read after the version was)."""
        known = self.taxonomy
        if known is not None and known[0] == version and version is not None:
            return known[1]
        taxonomy = load_taxonomy(session)
        self.taxonomy = (version, taxonomy)
        return taxonomy


_MEMO = _Memo()


@dataclass(frozen=True)
class _Page:
    """One page's ranking: rows of the catalogue with score and distance, and what explains them."""

    person: Person
    taxonomy: Taxonomy
    entry: CatalogEntry
    rows: list[tuple[int, float, float]]
    next_cursor: str | None
    now: datetime

    @property
    def language(self) -> str:
        """The language of the reasons."""
        return self.person.language

    @cached_property
    def _explaining(self) -> tuple[Prepared, ReasonTexts]:
        # `reasons_for` per item, with the person prepared and their texts kept once per page.
        return (
            prepare(self.person, self.taxonomy.categories),
            shared_texts(self.person.language, self.taxonomy.labels),
        )

    def explained(self, j: int, km: float) -> tuple[Reason, ...]:
        """The engine's reasons for row `j` of the catalogue at this distance."""
        candidate = self.entry.table.candidates[j]
        prepared, texts = self._explaining
        return reasons_prepared(prepared, candidate, texts, self.now, km)  # `now` is aware

    def reasons(self, j: int, km: float) -> list[dict[str, str]]:
        """The reasons as the schema shows them."""
        return [shown_reason(x) for x in self.explained(j, km)]


class _ReasonsJson:
    """Per worker and JSON provider setting: each reason's JSON, rendered once. Pages repeat
    the same few texts (an interest, a distance, a time of the week); a page's list joins them
    as `dumps` with compact separators would (rendering each list was an eighth of a request)."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self._known: dict[Reason, str] = {}

    def render(self, found: tuple[Reason, ...], dumps: Callable[[Any], str]) -> str:
        known = self._known
        parts = []
        for reason in found:
            text = known.get(reason)
            if text is None:
                text = dumps(shown_reason(reason))
                if len(known) >= self.LIMIT:
                    known.clear()
                known[reason] = text
            parts.append(text)
        return f"[{','.join(parts)}]"


_REASONS_JSON: dict[tuple[type, bool, bool], _ReasonsJson] = {}


def _rank(
    session: Session,
    *,
    actor: Actor,
    kind: str | None,
    limit: int,
    cursor: str | None,
    now: datetime | None,
    language: str | None,
) -> _Page | None:
    """The page's ranking, or None until the person gave a postcode and times.

    Reasons are in `language` (the request's Accept-Language), else in the profile's.
    """
    now = now or utcnow()
    if actor.unconfirmed_sign_in is None:
        ctx = _context_row(session, _CONTEXT, {"uid": actor.user_id, "mid": actor.municipality_id})
    else:  # the view confirms the sign-in here, in the same round trip
        ctx = _context_row(session, _CONTEXT_SIGNED_IN, sign_in_params(actor))
        if not ctx.signed_in:
            raise SignInEnded()
        actor = replace(actor, unconfirmed_sign_in=None)
    if ctx.profile_user is None:
        get_profile(session, actor=actor)  # made on first use (or 404): no postcode yet
        return None
    if ctx.home_lat is None or ctx.home_lon is None or not ctx.availability:
        return None
    after = decode_cursor(cursor, as_int, as_int)
    offset = after[0] if after else 0
    if offset < 0:
        raise InvalidInput.field("cursor", "Not a cursor from this API.")
    if after:
        # Later pages rank at the moment of the first, so freshness does not reshuffle them.
        ranked_at = datetime.fromtimestamp(after[1] / 1000, tz=UTC)
        if now - PAGE_MOMENT_KEPT <= ranked_at <= now:
            now = ranked_at
    policy = _MEMO.policy(ctx.policy)
    taxonomy = _MEMO.taxonomy_at(session, ctx.taxonomy)
    entry = CATALOG.entry(session, actor.municipality_id, int(ctx.catalog_version))
    table = entry.table
    person = replace(person_from_profile(ctx), language=language or ctx.preferred_language)
    recent = now - timedelta(days=policy.recent_decline_days)
    excluded = frozenset(ctx.open_ids).union(
        oid for oid, at in zip(ctx.turned_ids, ctx.turned_at, strict=True) if at >= recent
    )
    batch = PersonBatch.one(
        table,
        person,
        categories=taxonomy.categories,
        home=(ctx.home_lat, ctx.home_lon),
        excluded=excluded,
    )
    # One person is one chunk of work: run it on this thread. A parallel region would wait
    # for (and spin) the kernel's other threads while the server's threads need the cores.
    threads = numba.get_num_threads()
    numba.set_num_threads(1)  # per calling thread
    try:
        # One more than the page, so we know whether a next page exists.
        found = top_k(
            table,
            batch,
            now=now,
            weights=weights_from_policy(policy),
            k=offset + limit + 1,
            only_kind=kind,
        )
    finally:
        numba.set_num_threads(threads)
    chosen = [
        (int(j), float(s), float(d))
        for j, s, d in zip(found.index[0], found.score[0], found.distance_km[0], strict=True)
        if j >= 0
    ]
    more = len(chosen) > offset + limit
    nxt = encode_cursor([offset + limit, int(now.timestamp() * 1000)]) if more else None
    return _Page(person, taxonomy, entry, chosen[offset : offset + limit], nxt, now)


def personal_feed(
    session: Session,
    *,
    actor: Actor,
    kind: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
    language: str | None = None,
) -> FeedPage:
    """Ranked suggestions for the signed-in person; empty until they gave a postcode and times.

    Reasons are in `language` (the request's Accept-Language), else in the profile's.
    """
    page = _rank(
        session, actor=actor, kind=kind, limit=limit, cursor=cursor, now=now, language=language
    )
    if page is None:
        return FeedPage([], None, profile_complete=False, language=language or "nl")
    ids = page.entry.table.ids
    by_id = load_shown(session, [ids[j] for j, _, _ in page.rows])
    items = []
    for j, value, km in page.rows:
        opp = by_id.get(ids[j])
        if opp is None:  # removed since this worker loaded the catalog
            continue
        opp.distance_km = round(km, 1)
        items.append(FeedItem(opp, value, round(km, 1), page.reasons(j, km)))
    return FeedPage(items, page.next_cursor, True, page.language)


_OPPORTUNITY = OpportunitySchema()
_MARK = "@@distance-km@@"


def _fragment(opp: Any, dumps: Callable[[Any], str]) -> tuple[str, str] | None:
    """The opportunity's JSON as `OpportunitySchema` gives it, split where its distance goes."""
    opp.distance_km = 0.0
    data = _OPPORTUNITY.dump(opp)
    data["distanceKm"] = _MARK  # the key keeps its place
    rendered = dumps(data)
    quoted = f'"{_MARK}"'
    if rendered.count(quoted) != 1:  # a text holds the mark: render this one per request
        return None
    before, _, after = rendered.partition(quoted)
    return before, after


def feed_response(
    session: Session,
    *,
    actor: Actor,
    kind: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
    language: str | None = None,
) -> tuple[Response | FeedPage, str]:
    """GET /v1/me/feed's body: `personal_feed` as `FeedPageSchema` dumps it, byte for byte.

    Each opportunity's JSON is rendered once per catalogue version and kept with it, so a
    request adds only scores, distances and reasons. (A FeedPage for the schema when the app
    pretty-prints, or when an opportunity's text holds the placeholder.) With the language of
    the reasons.
    """
    provider = current_app.json
    if not isinstance(provider, DefaultJSONProvider) or (
        (provider.compact is None and current_app.debug) or provider.compact is False
    ):
        page_ = personal_feed(
            session, actor=actor, kind=kind, limit=limit, cursor=cursor, now=now, language=language
        )
        return page_, page_.language

    def dumps(obj: Any) -> str:
        return provider.dumps(obj, separators=(",", ":"))

    # Kept per provider and setting: apps in one process (tests) may set theirs apart.
    style = (type(provider), bool(provider.ensure_ascii), bool(provider.sort_keys))
    reasons_json = _REASONS_JSON.setdefault(style, _ReasonsJson()).render

    page = _rank(
        session, actor=actor, kind=kind, limit=limit, cursor=cursor, now=now, language=language
    )
    if page is None:
        body = '{"items":[],"nextCursor":null,"profileComplete":false}\n'
        return current_app.response_class(body, mimetype=provider.mimetype), language or "nl"
    ids = page.entry.table.ids
    fragments = page.entry.fragments
    missing = [ids[j] for j, _, _ in page.rows if ids[j] not in fragments]
    if missing:
        for oid, opp in load_shown(session, missing).items():
            fragment = _fragment(opp, dumps)
            if fragment is None:
                whole = personal_feed(
                    session,
                    actor=actor,
                    kind=kind,
                    limit=limit,
                    cursor=cursor,
                    now=page.now,
                    language=language,
                )
                return whole, whole.language
            fragments[oid] = fragment
    items = []
    for j, value, km in page.rows:
        fragment = fragments.get(ids[j])
        if fragment is None:  # removed since this worker loaded the catalog
            continue
        distance = repr(round(km, 1))
        items.append(
            f'{{"opportunity":{fragment[0]}{distance}{fragment[1]},"score":{value!r},'
            f'"distanceKm":{distance},"reasons":{reasons_json(page.explained(j, km), dumps)}}}'
        )
    body = (
        f'{{"items":[{",".join(items)}],"nextCursor":{dumps(page.next_cursor)},'
        f'"profileComplete":true}}\n'
    )
    return current_app.response_class(body, mimetype=provider.mimetype), page.language
