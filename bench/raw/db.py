"""The raw baseline's database access: the same drivers as csdesk (aiosqlite, asyncpg), used
directly, with hand-written SQL in ``?`` placeholders (numbered ``$n`` for PostgreSQL).

Values come back as the drivers give them; ``instant``/``money`` turn them into what csdesk's
column types would (SQLite keeps instants as naive UTC text and money as REAL)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import functools
import re
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import make_url

# Statements run on behalf of the current request (reported in a response header).
statements: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "raw_statements", default=None
)

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA synchronous=NORMAL",
    # As csdesk: search keys are folded, so a case-sensitive LIKE may use their indexes.
    "PRAGMA case_sensitive_like=ON",
)


def _count() -> None:
    counter = statements.get()
    if counter is not None:
        counter[0] += 1


@functools.lru_cache(maxsize=512)
def _numbered(sql: str) -> str:
    """``?`` placeholders as asyncpg's ``$1, $2, …`` (the SQL here never quotes a ``?``)."""
    counter = iter(range(1, 10_000))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


class Connection:
    """One connection of either driver, with the same two calls."""

    def __init__(self, raw: Any, postgres: bool) -> None:
        self.raw = raw
        self.postgres = postgres

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        _count()
        if self.postgres:
            return list(await self.raw.fetch(_numbered(sql), *params))
        async with self.raw.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        _count()
        if self.postgres:
            await self.raw.execute(_numbered(sql), *params)
        else:
            await self.raw.execute(sql, params)


class RawDatabase:
    """A small pool of driver connections to the database of a csdesk URL."""

    def __init__(self, url: str, size: int = 8) -> None:
        self.url = make_url(url)
        self.postgres = self.url.get_backend_name() == "postgresql"
        self.size = size
        self._pg_pool: Any = None
        self._sqlite: asyncio.Queue[Any] | None = None
        self._sqlite_all: list[Any] = []

    async def open(self) -> None:
        if self.postgres:
            import asyncpg

            u = self.url
            self._pg_pool = await asyncpg.create_pool(
                user=u.username,
                password=u.password,
                host=u.host,
                port=u.port,
                database=u.database,
                min_size=min(2, self.size),
                max_size=self.size,
            )
            return
        import aiosqlite

        self._sqlite = asyncio.Queue()
        for _ in range(self.size):
            # Autocommit (no implicit BEGIN), as csdesk's connections outside its transactions.
            conn = await aiosqlite.connect(
                self.url.database or ":memory:", timeout=30, isolation_level=None
            )
            for pragma in SQLITE_PRAGMAS:
                await conn.execute(pragma)
            self._sqlite_all.append(conn)
            self._sqlite.put_nowait(conn)

    async def close(self) -> None:
        if self._pg_pool is not None:
            await self._pg_pool.close()
        for conn in self._sqlite_all:
            await conn.close()

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        if self._pg_pool is not None:
            async with self._pg_pool.acquire() as conn:
                yield Connection(conn, True)
            return
        assert self._sqlite is not None
        conn = await self._sqlite.get()
        try:
            yield Connection(conn, False)
        finally:
            self._sqlite.put_nowait(conn)

    # --- values as csdesk's column types give them ---------------------------------------

    def instant(self, value: Any) -> dt.datetime:
        """A UTC instant from the driver's value (naive UTC text on SQLite)."""
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def bind_instant(self, value: dt.datetime) -> Any:
        """An instant as a parameter: SQLite compares SQLAlchemy's naive UTC text."""
        if self.postgres:
            return value
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def money(self, value: Any) -> Decimal:
        """NUMERIC(18, 4) as SQLAlchemy returns it (SQLite keeps REAL: four decimals)."""
        if isinstance(value, Decimal):
            return value
        return Decimal(f"{value:.4f}")

    def bind_money(self, value: Decimal) -> Any:
        return value if self.postgres else float(value)
