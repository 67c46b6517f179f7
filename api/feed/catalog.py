"""Each worker's copy of a municipality's open opportunities as arrays, fresh by a version.

Every insert or update of an opportunity (places taken included, since the lifecycle moves
the counter on the opportunity row) bumps `municipalities.catalog_version` in the same
transaction, by a trigger. Writers of one municipality queue on that row, so versions follow
commit order: reading the version first and the rows second can only give rows newer than
the version, never older, and the next request then reloads. A feed request costs one
primary-key lookup for the check.
"""

from __future__ import annotations

import gc
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.orm import Session

from matching.vector import CandidateTable
from matching.vector.kernel import freshness_at

_VERSION = text("select catalog_version from municipalities where id = :mid")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class FeedTable(CandidateTable):
    """A catalogue table whose freshness is array arithmetic, not a Python call per candidate.

    A feed request ranks one person against thousands of candidates; the engine's
    `freshness_fit` per candidate was a third of its CPU. The same operations on the same
    values give the same floats: the age in microseconds is an exact integer (as in
    `timedelta.total_seconds`, which divides it by 10**6), then the same divisions and formula.
    """

    published_us: npt.NDArray[np.int64]  # microseconds since the epoch; 0 where unknown
    published_known: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, table: CandidateTable) -> FeedTable:
        """The same columns, plus publication moments as integers."""
        when = [c.published_at for c in table.candidates]
        return cls(
            **{f.name: getattr(table, f.name) for f in fields(CandidateTable)},
            published_us=np.array(
                [0 if w is None else (w - _EPOCH) // _MICROSECOND for w in when], dtype=np.int64
            ),
            published_known=np.array([w is not None for w in when], dtype=np.bool_),
        )

    def freshness(self, now: datetime) -> npt.NDArray[np.float64]:
        """`freshness_fit` of every candidate at `now`, bit for bit (compiled: one pass; the
        same formula as numpy expressions made ten passes and was ~3% of a feed request)."""
        out = np.empty(len(self.published_us), dtype=np.float64)
        freshness_at((now - _EPOCH) // _MICROSECOND, self.published_us, self.published_known, out)
        return out


@dataclass(frozen=True)
class CatalogEntry:
    """One municipality's table at one version, and what was rendered from it since."""

    version: int
    table: FeedTable
    # Opportunity id -> its JSON as the feed shows it, split where its distance goes. Rendered
    # on first show; a new version (any change to an opportunity or a team of the
    # municipality) starts a new entry, so none is older than the version.
    fragments: dict[str, tuple[str, str]] = field(default_factory=dict)


def keep_out_of_collections() -> None:
    """Move every object alive now out of the cyclic garbage collector's reach (`gc.freeze`).

    A serving process holds every municipality's table: millions of long-lived objects that
    each full collection walked, stopping all of the process's threads for 150-360 ms during
    feed traffic (measured on scale data; after this 1 ms). Garbage is collected first, so no
    unreachable cycle is kept forever; frozen objects are still freed when their last
    reference goes (a replaced table: no cycles in it).
    """
    gc.collect()  # walks only what is not frozen yet: the new table and recent garbage
    gc.freeze()


class Catalog:
    """Per-process cache of candidate tables, one per municipality."""

    def __init__(self) -> None:
        """Empty; tables load on first use."""
        self._entries: dict[uuid.UUID, CatalogEntry] = {}
        self._lock = threading.Lock()
        self.loads = 0
        # Set by the server for its processes (not in tests, whose many short-lived apps
        # must stay collectable): after each table loads, keep it out of collections.
        self.after_load: Callable[[], None] | None = None

    def table(self, session: Session, municipality_id: uuid.UUID) -> FeedTable:
        """The municipality's published opportunities as they are now."""
        return self.entry(session, municipality_id).table

    def entry(
        self, session: Session, municipality_id: uuid.UUID, version: int | None = None
    ) -> CatalogEntry:
        """The municipality's entry at `version` (read first when not given: version, then rows)."""
        from api.feed.national import load_table

        if version is None:
            version = int(session.scalar(_VERSION, {"mid": municipality_id}) or 0)
        entry = self._entries.get(municipality_id)
        if entry is not None and entry.version == version:
            return entry
        entry = CatalogEntry(version, FeedTable.of(load_table(session, municipality_id)))
        with self._lock:
            self._entries[municipality_id] = entry
            self.loads += 1
        if self.after_load is not None:
            self.after_load()
        return entry

    def clear(self) -> None:
        """Forget every table (tests)."""
        with self._lock:
            self._entries.clear()


CATALOG = Catalog()
