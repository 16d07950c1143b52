"""PostgreSQL connections: reads run each statement on its own (no BEGIN and ROLLBACK per
session), writes keep their transaction, and a pooled connection the server dropped is
replaced on checkout, so the next request is answered as usual. A connection given back a
moment ago is handed out without its ping (core.db.PING_AFTER_IDLE_SECONDS)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

import core.db
from core.config import Settings
from core.db import Database
from csdesk.app import create_app
from tests.conftest import GraphQLClient


def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL's sessions and pool (SQLite reads open no transaction)")


async def _two_nows(session: object) -> tuple[object, object]:
    first = (await session.execute(text("SELECT now()"))).scalar_one()  # type: ignore[attr-defined]
    await asyncio.sleep(0.02)
    second = (await session.execute(text("SELECT now()"))).scalar_one()  # type: ignore[attr-defined]
    return first, second


async def test_reads_run_each_statement_on_its_own(db: Database, backend: str) -> None:
    _postgres_only(backend)
    # now() is the start of the transaction: a read's two statements are two transactions
    async with db.read() as session:
        first, second = await _two_nows(session)
        assert second > first  # type: ignore[operator]
    async with db.write() as session:
        first, second = await _two_nows(session)
        assert second == first
        await session.rollback()


@pytest.mark.parametrize("inside_the_window", [False, True], ids=["pinged", "inside the window"])
async def test_a_connection_the_server_dropped_is_replaced(
    db: Database, backend: str, monkeypatch: pytest.MonkeyPatch, inside_the_window: bool
) -> None:
    _postgres_only(backend)
    if not inside_the_window:
        # idle long enough to be pinged on checkout (without waiting the second out)
        monkeypatch.setattr(core.db, "PING_AFTER_IDLE_SECONDS", 0.05)
    url = db.engine.url.render_as_string(hide_password=False)
    small = Database.connect(url, pool_size=1, max_overflow=0)
    try:
        app = create_app(Settings(database_url=url), database=small)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            gql = GraphQLClient(http)
            await gql.login("agent")
            async with small.read() as session:
                pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            async with db.write() as session:
                await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                await session.commit()
            await asyncio.sleep(0.1)
            # the pool's one connection is gone: the next request gets a new one (its ping
            # fails; inside the window its sign-in fails and is read again on a new one)
            orders = await gql.data("{ orders(first: 1) { edges { node { number } } } }")
            assert orders["orders"]["edges"]
            async with small.read() as session:
                assert (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
    finally:
        await small.dispose()


class _Pings:
    """Counts the pings (``SELECT 1`` on the driver connection) of a test's checkouts."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import asyncpg

        self.count = 0
        execute = asyncpg.Connection.execute

        async def counted(conn: object, query: str, *args: object, **kwargs: object) -> object:
            if query == "SELECT 1":
                self.count += 1
            return await execute(conn, query, *args, **kwargs)

        monkeypatch.setattr(asyncpg.Connection, "execute", counted)


async def test_a_connection_given_back_a_moment_ago_is_not_pinged(
    db: Database, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(backend)
    url = db.engine.url.render_as_string(hide_password=False)
    small = Database.connect(url, pool_size=1, max_overflow=0)
    pings = _Pings(monkeypatch)
    try:
        for _ in range(3):
            async with small.read() as session:
                assert (await session.execute(text("SELECT 2"))).scalar_one() == 2
        assert pings.count == 1  # the new connection's first checkout only
        monkeypatch.setattr(core.db, "PING_AFTER_IDLE_SECONDS", 0.05)
        await asyncio.sleep(0.1)
        async with small.read() as session:
            assert (await session.execute(text("SELECT 2"))).scalar_one() == 2
        assert pings.count == 2  # idle past the window: pinged again
    finally:
        await small.dispose()
