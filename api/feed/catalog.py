"""Each worker's copy of a municipality's open opportunities as arrays, fresh by a version.

Every insert or update of an opportunity (places taken included, since the lifecycle moves
the counter on the opportunity row) bumps `municipalities.catalog_version` in the same
transaction, by a trigger. Writers of one municipality queue on that row, so versions follow
commit order: reading the version first and the rows second can only give rows newer than
the version, never older, and the next request then reloads. A feed request costs one
primary-key lookup for the check.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from matching.vector import CandidateTable

_VERSION = text("select catalog_version from municipalities where id = :mid")


@dataclass(frozen=True)
class _Entry:
    version: int
    table: CandidateTable


class Catalog:
    """Per-process cache of candidate tables, one per municipality."""

    def __init__(self) -> None:
        """Empty; tables load on first use."""
        self._entries: dict[uuid.UUID, _Entry] = {}
        self._lock = threading.Lock()
        self.loads = 0

    def table(self, session: Session, municipality_id: uuid.UUID) -> CandidateTable:
        """The municipality's published opportunities as they are now."""
        from api.feed.national import load_table

        version = session.scalar(_VERSION, {"mid": municipality_id})
        entry = self._entries.get(municipality_id)
        if entry is not None and entry.version == version:
            return entry.table
        table = load_table(session, municipality_id)
        with self._lock:
            self._entries[municipality_id] = _Entry(int(version or 0), table)
            self.loads += 1
        return table

    def clear(self) -> None:
        """Forget every table (tests)."""
        with self._lock:
            self._entries.clear()


CATALOG = Catalog()
