"""A fingerprint of a whole database: every row of every table, for "nothing changed"."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from core.db import Database
from models.base import Base

# Written by reading, not by a change: a session's last use.
READ_MARKS = frozenset({"last_used_at"})
# Strings a database error carries into its text; none may reach a client.
SQL_KEYWORDS = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", " WHERE ")
SQL_MARKERS = (
    "[SQL",
    "[parameters",
    "sqlalchemy",
    "asyncpg",
    "sqlite3",
    "aiosqlite",
    "psycopg",
    "Traceback",
    "Connection refused",
    "connect call failed",
    "unable to open",
    "invalid byte sequence",
    "character varying",
    "surrogates not allowed",
)


async def fingerprint(db: Database, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Table name → digest of its rows (in primary-key order), ``skip`` tables left out."""
    digests: dict[str, str] = {}
    async with db.read() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            columns = [c for c in table.columns if c.name not in READ_MARKS]
            order = list(table.primary_key.columns) or columns
            rows = (await session.execute(select(*columns).order_by(*order))).all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def leaks(text: str) -> list[str]:
    """The marks of SQL or of a driver's error found in a response body."""
    lower = text.lower()
    return [k for k in SQL_KEYWORDS if k in text] + [m for m in SQL_MARKERS if m.lower() in lower]
