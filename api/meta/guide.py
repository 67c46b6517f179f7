"""The prose of the OpenAPI document: the overview, the match lifecycle and how the feed ranks.

Kept beside the code it describes (api/matches/lifecycle.py, matching/ranking.py); the numbers
come from there, so the text cannot drift from them.
"""

from __future__ import annotations

from api.matches.lifecycle import ALLOWED, FIRST
from matching.model import Weights
from matching.ranking import (
    DIVERSITY_WINDOW,
    MAX_PER_ORGANIZER_IN_TOP,
    MAX_SAME_KIND_IN_A_ROW,
    ORGANIZER_TOP,
)


def _transitions() -> str:
    lines = [f"- (new) -> `{to}`: by {', '.join(roles)}" for to, roles in FIRST.items()]
    lines += [f"- `{a}` -> `{b}`: by {', '.join(roles)}" for (a, b), roles in ALLOWED.items()]
    return "\n".join(lines)


def _weights() -> str:
    w = Weights()
    parts = {
        "interest": w.interest,
        "distance": w.distance,
        "time": w.time,
        "ladder": w.ladder,
        "language": w.language,
        "freshness": w.freshness,
    }
    return ", ".join(f"{name} {value:g}" for name, value in parts.items())


MATCH_LIFECYCLE = f"""\
A match is one person's path toward one opportunity. Its `status`:

- `suggested`: a coach proposed it; the person has not said yes yet.
- `requested`: the person said "I'm interested"; waiting for their coach.
- `approved`: the coach agreed; a place is held; the organiser confirms the start.
- `active`: the person takes part. `completed`: it ended well.
- `declined` (coach said no), `rejected` (organiser said no), `withdrawn` (the person stepped
  back), `expired` (a request waited too long): ended without taking part.

Steps and who may take them (anything else is 409 `wrong_state`):

{_transitions()}

`approved` and `active` hold one of the opportunity's places: approving when no place is left is
409 `full`. A person has at most one open match (suggested, requested, approved or active) per
opportunity (409 `already_exists`). `system` steps are the municipality's auto-approve, expiry of
requests after the policy's `requestExpiryDays`, and withdrawal when a person is erased.
"""

FEED_RANKING = f"""\
`GET /me/feed` lists published opportunities that pass every hard rule: a free place, within
the dates, within your `maxDistanceKm` for your travel mode, your Dutch level at least the
opportunity's `minDutchLevel`, a language course at your level or one above, none you turned
down or were turned down for recently, none with an open match.

Each is scored in [0, 1] as a weighted sum (the municipality's policy sets the weights; the
defaults are {_weights()}): shared interests, nearness, overlap of your available times with its
slots, one step up your participation ladder, a course at your level, and how new it is. Order:
score high to low, then distance, then id, so the same data gives the same order.

Then the first {DIVERSITY_WINDOW} are lightly re-ordered for variety: no more than
{MAX_SAME_KIND_IN_A_ROW} of the same `kind` in a row, and at most {MAX_PER_ORGANIZER_IN_TOP} from
one organising team in the top {ORGANIZER_TOP}, as long as an opportunity that breaks no rule is
left to move up. `reasons` (up to three, in your language) say why each one suits you.
"""

INFO_DESCRIPTION = f"""\
Meedoen helps people on social assistance find volunteer work, language courses and \
informal-care support near home, with their coach alongside.

**Errors** are RFC 9457 problem details (`application/problem+json`) with a machine-readable \
`code` (see the Problem schema): decide on `code`, show `title`/`detail` to people. Invalid input \
is 400 with `invalidParams` naming each field. A 401 with `token_expired` means: refresh the \
token (`POST /auth/refresh`); `token_revoked` or `token_invalid` means: sign in again.

**Retries**: POSTs that create or decide take an `Idempotency-Key` header; a retry with the same \
key returns the first answer (header `Idempotent-Replayed: true`), the same key with another \
request is 409 `idempotency_conflict`. Writes are rate limited (429 `rate_limited` with \
`Retry-After`).

**Caching**: personal data is `Cache-Control: no-store`. The interest taxonomy and this document \
are public and cacheable, with an `ETag`: send `If-None-Match` to get 304 when unchanged.

**Lists** are paged with `limit` and `cursor`: `{{items, nextCursor}}`; `nextCursor` is null on \
the last page. Times are ISO 8601 in UTC; weekly slots and quiet hours are local \
(Europe/Amsterdam).

## Matches

{MATCH_LIFECYCLE}
## The feed

{FEED_RANKING}"""

# Tag (blueprint) descriptions: what the group of operations is for, to a developer of the app.
TAG_DESCRIPTIONS: dict[str, str] = {
    "health": "Whether the service and its database answer.",
    "meta": "This API description (public, cacheable, CORS-open).",
    "auth": "Sign in with e-mail and password; refresh and end sessions. Access tokens are short; "
    "refresh tokens rotate: each is used once, and reusing a spent one ends the whole session.",
    "invitations": "Coaches invite people to the app with a one-time code.",
    "admin-users": "Admins create staff accounts (organisers, coaches, admins).",
    "interests": "The interest taxonomy: the keys people and opportunities use (public).",
    "opportunities": "Activities organisers offer: volunteer work, language courses, informal "
    "care. "
    "Organisers create and edit their team's; everyone signed in sees the published ones.",
    "profile": "The person's own profile: where they live (area only), what they like, when they "
    "are free, how far they travel, their Dutch level and how they want to be nudged.",
    "feed": "Suggestions for the signed-in person, best first.\n\n" + FEED_RANKING,
    "matches": "A person's way toward an opportunity, from interest to taking part.\n\n"
    + MATCH_LIFECYCLE,
    "inbox": "Messages and nudges for the person, and the phones that receive pushes.",
    "admin-policy": "The municipality's settings: nudges, quiet hours, auto-approve, thresholds "
    "and matching weights.",
    "progress": "Check-ins (hours, wellbeing, steps toward work) and the person's progress.",
    "caseload": "A coach's people, sorted by who needs attention first. Every read is audited.",
    "reports": "Aggregate counts for the municipality; small cells are withheld.",
    "privacy": "Your own data: who looked at it, a full export, and erasure; the audit trail "
    "for admins.",
}
