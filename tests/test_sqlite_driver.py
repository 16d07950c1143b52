"""csdesk's SQLite driver (core/sqlite_driver.py): one trip to aiosqlite's thread per
statement, and everything SQLAlchemy reads from a cursor still right (rows, row counts of
compare-and-set updates, inserted ids, RETURNING, errors, streamed results)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError, OperationalError

from core.db import Database, rows_changed

metadata = MetaData()
thing = Table(
    "thing",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("version", Integer, nullable=False, default=0),
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every function handed to an aiosqlite connection's thread."""
    seen: list[Any] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(fn)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_a_statement_is_one_trip_to_the_thread(db: Database, trips: list[Any]) -> None:
    async with db.read() as session:
        await session.execute(text("SELECT 1"))  # the connection is open and warm
        trips.clear()
        rows = (await session.execute(select(thing.c.id).where(thing.c.id.in_([1, 2])))).all()
        assert rows == []
        assert len(trips) == 1  # SQLAlchemy's own adapter: cursor, execute, fetchall, close


async def test_rows_counts_ids_and_returning(db: Database) -> None:
    async with db.write() as session:
        inserted = cast(CursorResult[Any], await session.execute(insert(thing).values(name="a")))
        key = inserted.inserted_primary_key
        assert key is not None
        first_id = key[0]
        await session.execute(insert(thing), [{"name": "b"}, {"name": "c"}])  # executemany
        returned = await session.execute(
            insert(thing).values(name="d").returning(thing.c.id, thing.c.name)
        )
        assert returned.one()[1] == "d"
        await session.commit()
    assert first_id == 1
    async with db.write() as session:
        # a compare-and-set: the row count says whether it won
        won = await session.execute(
            update(thing).where(thing.c.name == "a", thing.c.version == 0).values(version=1)
        )
        lost = await session.execute(
            update(thing).where(thing.c.name == "a", thing.c.version == 0).values(version=2)
        )
        several = await session.execute(update(thing).values(version=thing.c.version + 1))
        await session.commit()
    counts = [rows_changed(r) for r in (won, lost, several)]
    assert counts == [1, 0, 4]
    async with db.read() as session:
        names = (await session.execute(select(thing.c.name).order_by(thing.c.id))).scalars()
        assert list(names) == ["a", "b", "c", "d"]
        result = await session.execute(select(thing.c.name).order_by(thing.c.id))
        assert [r[0] for r in result.fetchmany()] == ["a"]  # the cursor's arraysize: 1
        assert [[r[0] for r in p] for p in result.partitions(2)] == [["b", "c"], ["d"]]
        streamed = await session.stream(select(thing.c.name).order_by(thing.c.name.desc()))
        assert [row[0] async for row in streamed] == ["d", "c", "b", "a"]


async def test_errors_are_sqlalchemy_errors_and_change_nothing(db: Database) -> None:
    async with db.write() as session:
        await session.execute(insert(thing).values(name="a"))
        await session.commit()
    async with db.write() as session:
        await session.execute(insert(thing).values(name="b"))
        with pytest.raises(IntegrityError):
            await session.execute(insert(thing).values(name="a"))
        await session.rollback()
    async with db.read() as session:
        with pytest.raises(OperationalError):
            await session.execute(text("SELECT nope FROM thing"))
    async with db.read() as session:
        assert (await session.execute(select(thing.c.name))).scalars().all() == ["a"]
