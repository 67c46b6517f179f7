"""Keyset paging: one order direction, typed cursors, and a 400 for anything not ours."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Table, Uuid, select

from api.core.paging import _parser_for, decode_cursor, encode_cursor, keyset_page
from api.errors import InvalidInput


def _parsers(*columns: Column) -> list:
    return [_parser_for(c) for c in columns]


ROWS = Table(
    "rows",
    MetaData(),
    Column("id", Uuid, primary_key=True),
    Column("at", DateTime(timezone=True)),
    Column("day", Date),
    Column("n", Integer),
)


def test_a_cursor_reads_back_with_its_types() -> None:
    key = uuid.uuid4()
    moment = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    cursor = encode_cursor([moment.isoformat(), str(key)])
    assert decode_cursor(cursor, *_parsers(ROWS.c.at, ROWS.c.id)) == (moment, key)
    cursor = encode_cursor([date(2026, 1, 2).isoformat(), 7])
    assert decode_cursor(cursor, *_parsers(ROWS.c.day, ROWS.c.n)) == (date(2026, 1, 2), 7)


@pytest.mark.parametrize(
    "cursor",
    ["not-a-cursor", encode_cursor(["2026-01-01T00:00:00", str(uuid.uuid4())]), encode_cursor([1])],
)
def test_a_foreign_or_malformed_cursor_is_invalid_input_on_cursor(cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor, *_parsers(ROWS.c.at, ROWS.c.id))
    assert caught.value.invalid_params == [
        {"name": "cursor", "reason": "Not a cursor from this API."}
    ]


def test_mixed_directions_are_refused_before_any_query() -> None:
    with pytest.raises(ValueError, match="all .asc"):
        keyset_page(
            None,  # type: ignore[arg-type]  # refused before any session is needed
            select(ROWS),
            order=(ROWS.c.at.desc(), ROWS.c.id.asc()),
            limit=2,
            cursor=None,
        )
