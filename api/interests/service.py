"""Reading and syncing the taxonomy."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.errors import InvalidInput
from api.i18n import N_
from api.interests.models import Interest, InterestCategory
from api.interests.taxonomy import CATEGORIES, INTERESTS


def list_interests(session: Session) -> list[Interest]:
    """The whole taxonomy in display order."""
    return list(session.scalars(select(Interest).order_by(Interest.position, Interest.key)))


def category_map(session: Session) -> dict[str, str]:
    """Interest key -> category key, for matching."""
    return dict(session.execute(select(Interest.key, Interest.category_key)).tuples())


def ensure_known(session: Session, keys: Iterable[str], *, field: str) -> list[str]:
    """Refuse unknown interest keys (400 naming the field); return them de-duplicated in order."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return []
    known = set(session.scalars(select(Interest.key).where(Interest.key.in_(wanted))))
    unknown = [k for k in wanted if k not in known]
    if unknown:
        reason = N_("Unknown interest(s): {keys}.")
        raise InvalidInput.field(field, reason, keys=", ".join(sorted(unknown)))
    return wanted


def sync_taxonomy(session: Session) -> int:
    """Upsert the bundled taxonomy (idempotent); returns the number of interests."""
    for pos, c in enumerate(CATEGORIES):
        stmt = insert(InterestCategory).values(
            key=c["key"], label_nl=c["nl"], label_en=c["en"], position=pos
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["key"],
                set_={"label_nl": c["nl"], "label_en": c["en"], "position": pos},
            )
        )
    for pos, i in enumerate(INTERESTS):
        stmt = insert(Interest).values(
            key=i["key"],
            category_key=i["category"],
            label_nl=i["nl"],
            label_en=i["en"],
            position=pos,
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "category_key": i["category"],
                    "label_nl": i["nl"],
                    "label_en": i["en"],
                    "position": pos,
                },
            )
        )
    session.flush()
    return len(INTERESTS)
