"""Reading and syncing the taxonomy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.errors import InvalidInput
from api.i18n import N_, Term, languages, texts_for
from api.interests.models import Interest, InterestCategory
from api.interests.taxonomy import CATEGORIES, INTERESTS

_LABELS: dict[str, Term] = {i["key"]: Term("interest", i["label"]) for i in INTERESTS}
_CATEGORY_LABELS: dict[str, Term] = {
    c["key"]: Term("interest category", c["label"]) for c in CATEGORIES
}


def labels_in(term: Term) -> dict[str, str]:
    """One label in every language that has a catalogue (Dutch when a language lacks it)."""
    return {lang: texts_for(lang).pgettext(term.context, str(term)) for lang in languages()}


def interest_labels() -> dict[str, dict[str, str]]:
    """Interest key -> label per language (for reasons: "past bij je koken")."""
    return {key: labels_in(term) for key, term in _LABELS.items()}


def list_categories(language: str) -> list[dict[str, Any]]:
    """The categories in display order, each labelled in the language and in all."""
    return [
        {"key": c["key"], "label": labels_in(term)[language], "labels": labels_in(term)}
        for c in CATEGORIES
        for term in [_CATEGORY_LABELS[c["key"]]]
    ]


def label_of(key: str, language: str) -> str:
    """One interest's label in a language (the key when the taxonomy lacks it)."""
    term = _LABELS.get(key)
    return texts_for(language).pgettext(term.context, str(term)) if term else key


def list_interests(session: Session) -> list[Interest]:
    """The whole taxonomy in display order."""
    return list(session.scalars(select(Interest).order_by(Interest.position, Interest.key)))


def taxonomy_for(session: Session, *, language: str) -> dict[str, list[Any]]:
    """The taxonomy as GET /v1/interests shows it: labels in the language and in all."""
    items = [
        {
            "key": i.key,
            "category_key": i.category_key,
            "label": label_of(i.key, language),
            "labels": labels_in(_LABELS[i.key]) if i.key in _LABELS else i.labels,
        }
        for i in list_interests(session)
    ]
    return {"items": items, "categories": list_categories(language)}


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
    # The Dutch and English labels are copied from the catalogues for the console and SQL.
    for pos, c in enumerate(CATEGORIES):
        names = labels_in(_CATEGORY_LABELS[c["key"]])
        row = {"label_nl": names["nl"], "label_en": names["en"], "position": pos}
        stmt = insert(InterestCategory).values(key=c["key"], **row)
        session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_=row))
    for pos, i in enumerate(INTERESTS):
        names = labels_in(_LABELS[i["key"]])
        row = {
            "category_key": i["category"],
            "label_nl": names["nl"],
            "label_en": names["en"],
            "position": pos,
        }
        stmt = insert(Interest).values(key=i["key"], **row)
        session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_=row))
    session.flush()
    return len(INTERESTS)
