"""Database ids as they arrive from clients: digits that fit the id columns (32-bit integers
on PostgreSQL), so that an absurd id is "not found", never a database error."""

from __future__ import annotations

MAX_DB_ID = 2**31 - 1


def db_id(text: str | None) -> int | None:
    """The id ``text`` spells, or None when it is not a plausible database id."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_DB_ID else None
