"""Concurrent writers do not fail or deadlock (SQLite: WAL + BEGIN IMMEDIATE + busy timeout)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from core.db import Database
from models import Setting


async def test_twenty_concurrent_write_transactions_all_succeed(empty_db: Database) -> None:
    async def write(i: int) -> None:
        async with empty_db.write() as session:
            # Read first, then write: the pattern that fails with "database is locked" when a
            # deferred SQLite transaction must upgrade its lock.
            await session.scalar(select(func.count()).select_from(Setting))
            session.add(Setting(key=f"test.concurrent.{i}", value={"i": i}))
            await asyncio.sleep(0)
            await session.commit()

    results = await asyncio.gather(*(write(i) for i in range(20)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    async with empty_db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(Setting).where(Setting.key.like("test.concurrent.%"))
        )
    assert count == 20
