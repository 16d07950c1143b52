"""Forcing interleavings in the money tests: run a competing change at an exact point of a
transaction, or hold a transaction at a point while another one starts.

On PostgreSQL the competing change is what it stands for: another transaction, on a second
connection, committed at that point. On SQLite no other writer can commit while a write
transaction is open (csdesk opens them with ``BEGIN IMMEDIATE``), which is why concurrent
tests never produce a stale read there; the competing change runs inside the transaction
under test instead, just before the statement that must notice it. Either way the row changes
between the read and the write, and the guard under test must see it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.util import await_only

from core.db import Database
from models import Line
from tests.postsales import Made


@contextmanager
def before_statement(
    db: Database, prefix: str, act: Callable[[Connection], None]
) -> Iterator[list[str]]:
    """Runs ``act`` once, just before the first statement starting with ``prefix`` (on the
    connection about to run it); yields the statements it fired before, for the record."""
    fired: list[str] = []

    def hook(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if fired or not statement.lstrip().startswith(prefix):
            return
        fired.append(statement)
        act(conn)

    event.listen(db.engine.sync_engine, "before_cursor_execute", hook)
    try:
        yield fired
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", hook)


def elsewhere(work: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[Connection], None]:
    """An ``act`` for ``before_statement`` that awaits ``work`` (its own transaction on its
    own connection) from inside the statement hook, which SQLAlchemy runs in a greenlet."""

    def act(conn: Connection) -> None:
        await_only(work())

    return act


class Gate:
    """Holds the first transaction that runs a statement starting with ``prefix`` just after
    that statement (e.g. its order lock), until ``open()``: another transaction can then be
    started while the first one holds its locks."""

    def __init__(self, db: Database, prefix: str) -> None:
        self.db = db
        self.prefix = prefix
        self.reached = asyncio.Event()
        self._open = asyncio.Event()

    def _hook(self, conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if self.reached.is_set() or not statement.lstrip().startswith(self.prefix):
            return
        self.reached.set()
        await_only(self._open.wait())

    def open(self) -> None:
        self._open.set()

    def __enter__(self) -> Gate:
        event.listen(self.db.engine.sync_engine, "after_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc: object) -> None:
        self._open.set()
        event.remove(self.db.engine.sync_engine, "after_cursor_execute", self._hook)


async def someone_waits_for_a_lock(db: Database) -> None:
    """Returns once another transaction waits for a row lock (PostgreSQL), proving that the
    second of two racers really runs while the first holds its locks. On SQLite a waiting
    writer is invisible (it waits in SQLite's busy handler); give it a moment to get there."""
    if db.is_sqlite:
        await asyncio.sleep(0.2)
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(1000):
        async with db.read() as s:
            if await s.scalar(query):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the second transaction never waited for the first one's lock")


async def line_of(db: Database, made: Made) -> int:
    """The id of the (first) line of an order made for a test."""
    async with db.read() as s:
        line_id = await s.scalar(select(Line.id).where(Line.order_id == made.id))
    assert line_id is not None
    return line_id


async def refundable(db: Database, line_id: int) -> Decimal:
    """The line's remaining refundable net as committed (read here, not through the ledger,
    whose reads the tests hook)."""
    async with db.read() as s:
        value = await s.scalar(select(Line.refundable_net).where(Line.id == line_id))
    assert value is not None
    return Decimal(value)
