"""Engines and session factories.

On SQLite: WAL, foreign keys, a busy timeout, and write transactions opened with
``BEGIN IMMEDIATE`` so that concurrent writers queue on the lock instead of failing
with "database is locked" when a deferred read transaction tries to upgrade. Read
sessions open no transaction on either engine: each statement reads the latest committed
state, as each statement of a READ COMMITTED transaction would on PostgreSQL.
"""

from __future__ import annotations

import contextvars
import time
import uuid
from dataclasses import dataclass
from typing import Any, cast

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Connection, CursorResult, Result, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util.concurrency import await_

from core import sqlite_driver

WRITE_OPTION = "csdesk_write"
PING_TIMEOUT_SECONDS = 5
# A pooled PostgreSQL connection given back less than this long ago is handed out again
# without its ping (HikariCP's "alive bypass window", 500 ms there): it answered a moment ago,
# and under load, when every request would pay the round trip, connections come back within
# milliseconds. A connection the server dropped inside the window fails its first statement
# instead; SQLAlchemy then replaces every pooled connection (tests/test_connections.py).
PING_AFTER_IDLE_SECONDS = 1.0
_CHECKED_IN = "csdesk_checked_in"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class StatementCounter:
    """Counts the SQL statements run on behalf of one request (shared by its child tasks)."""

    def __init__(self) -> None:
        self.count = 0


statement_counter: contextvars.ContextVar[StatementCounter | None] = contextvars.ContextVar(
    "csdesk_statement_counter", default=None
)


def _count_statement(
    conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    counter = statement_counter.get()
    if counter is None:
        return
    head = statement.lstrip()[:8].upper()
    if head.startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")):
        return
    counter.count += 1


def _sqlite_from_hint(compiler: Any, table: Any, text: str) -> str:
    """``select(...).with_hint(Model, "INDEXED BY ix_name", "sqlite")`` renders as SQLite's
    ``FROM table INDEXED BY ix_name`` (SQLAlchemy's SQLite dialect drops table hints)."""
    return text


SQLiteCompiler.get_from_hint_text = _sqlite_from_hint  # type: ignore[method-assign,assignment]


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Let SQLAlchemy's "begin" event decide how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Search keys are stored folded to lower case, so LIKE may be case-sensitive, which
    # lets SQLite use the keys' indexes for prefix searches.
    cursor.execute("PRAGMA case_sensitive_like=ON")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # Reads run without BEGIN: each statement is then its own read transaction, as each
    # statement of a READ COMMITTED transaction sees its own snapshot on PostgreSQL, and
    # the three round trips of a BEGIN through aiosqlite's thread (a third of a short
    # session's time) are saved. Writes take the lock up front.
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_checkin(dbapi_connection: Any, record: Any) -> None:
    if dbapi_connection is not None:
        record.info[_CHECKED_IN] = time.monotonic()


def _postgres_ping(dbapi_connection: Any, record: Any, proxy: PoolProxiedConnection) -> None:
    """A pooled PostgreSQL connection idle for ``PING_AFTER_IDLE_SECONDS`` or more (or never
    used) answers ``SELECT 1`` before it is handed out; one that does not (the server
    restarted, a proxy dropped it) is replaced by a new one (SQLAlchemy's pool retries on
    ``DisconnectionError``). asyncpg's ``execute`` without arguments uses the simple query
    protocol: one round trip, and nothing prepared, so it also holds behind PgBouncer in
    transaction mode."""
    checked_in = record.info.get(_CHECKED_IN)
    if checked_in is not None and time.monotonic() - checked_in < PING_AFTER_IDLE_SECONDS:
        return
    driver = proxy.driver_connection
    if driver is None:
        raise DisconnectionError("the pooled connection is closed")
    try:
        await_(driver.execute("SELECT 1", timeout=PING_TIMEOUT_SECONDS))
    except (OSError, TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresError) as error:
        raise DisconnectionError(f"the pooled connection did not answer: {error!r}") from error


def asyncpg_options(url: str, kwargs: dict[str, Any]) -> str:
    """``?statement_cache_size=0`` in a PostgreSQL URL (for PgBouncer in transaction mode)
    turns asyncpg's statement cache off and names each prepared statement uniquely, so that
    two clients sharing a server connection never collide on a name. asyncpg takes the
    number as an integer, which a URL cannot carry, hence this translation."""
    parsed = make_url(url)
    raw = parsed.query.get("statement_cache_size")
    if raw is None or isinstance(raw, tuple):
        return url
    size = int(raw)
    connect_args = dict(kwargs.get("connect_args") or {})
    connect_args["statement_cache_size"] = size
    if size == 0:
        connect_args["prepared_statement_name_func"] = lambda: f"__asyncpg_{uuid.uuid4()}__"
    kwargs["connect_args"] = connect_args
    stripped = parsed.difference_update_query(["statement_cache_size"])
    return stripped.render_as_string(hide_password=False)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` with csdesk's connection set-up and statement counting."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        # One trip to aiosqlite's thread per statement instead of four (core/sqlite_driver).
        kwargs.setdefault("module", sqlite_driver.dbapi())
    else:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        # A pooled connection is checked on checkout by _postgres_ping (one round trip)
        # rather than by SQLAlchemy's pre-ping, which wraps its ping in BEGIN and ROLLBACK
        # (three round trips, for every session).
        ping = kwargs.pop("pool_pre_ping", True)
        url = asyncpg_options(url, kwargs)
        # Plan each execution of a prepared statement with its parameters. After five runs
        # PostgreSQL may switch a statement to a generic plan, which cannot know that
        # ``LIKE 'sw1a%'`` is a prefix: searches fell from 20 ms to 90–140 ms after their
        # fifth run (issue 12). Planning these statements takes well under a millisecond.
        # Not behind PgBouncer (statement_cache_size=0): every statement is prepared anew
        # there, and PgBouncer refuses startup parameters it does not know.
        connect_args = dict(kwargs.get("connect_args") or {})
        if connect_args.get("statement_cache_size") != 0:
            server_settings = dict(connect_args.get("server_settings") or {})
            server_settings.setdefault("plan_cache_mode", "force_custom_plan")
            connect_args["server_settings"] = server_settings
            kwargs["connect_args"] = connect_args
    engine = create_async_engine(url, **kwargs)
    sync_engine = engine.sync_engine
    if url.startswith("sqlite"):
        event.listen(sync_engine, "connect", _sqlite_on_connect)
        event.listen(sync_engine, "begin", _sqlite_on_begin)
    elif ping:
        event.listen(sync_engine, "checkout", _postgres_ping)
        event.listen(sync_engine, "checkin", _postgres_checkin)
    event.listen(sync_engine, "before_cursor_execute", _count_statement)
    return engine


@dataclass(frozen=True)
class Database:
    """One engine and its two session factories: reads, and writes (BEGIN IMMEDIATE on SQLite)."""

    engine: AsyncEngine
    read: async_sessionmaker[AsyncSession]
    write: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str, **kwargs: Any) -> Database:
        engine = create_engine(url, **kwargs)
        write_engine = engine.execution_options(**{WRITE_OPTION: True})
        # Reads run each statement on its own on PostgreSQL too (as on SQLite: see the
        # module's doc): under READ COMMITTED a transaction gives a read nothing more, and
        # BEGIN and ROLLBACK are two round trips per session. A streamed result
        # (``session.stream``) needs a transaction on asyncpg: stream from ``db.write``.
        read_engine = (
            engine
            if engine.dialect.name == "sqlite"
            else engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        return cls(
            engine=engine,
            read=async_sessionmaker(read_engine, expire_on_commit=False),
            write=async_sessionmaker(write_engine, expire_on_commit=False),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def dispose(self) -> None:
        await self.engine.dispose()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (``AsyncSession.execute`` is typed as a plain
    ``Result``; for these statements it is a ``CursorResult``)."""
    return cast(CursorResult[Any], result).rowcount


async def analyze(db: Database) -> None:
    """Refresh the planner's statistics after a bulk load (seed, import, migration): without
    them SQLite picks the wrong index for date-plus-status searches, and PostgreSQL plans with
    the sizes of empty tables. PostgreSQL's ANALYZE cannot run inside a transaction block."""
    if db.is_sqlite:
        async with db.write() as session:
            await session.execute(text("ANALYZE"))
            await session.commit()
        return
    async with db.engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("ANALYZE")
