"""PostgreSQL behind PgBouncer in transaction mode: ``?statement_cache_size=0`` (with
SQLAlchemy's ``prepared_statement_cache_size=0``) turns asyncpg's caches off and names each
prepared statement uniquely; csdesk answers as usual on such a connection."""

from __future__ import annotations

import httpx
import pytest

from core.config import Settings
from core.db import Database
from csdesk.app import create_app
from tests.conftest import GraphQLClient

DETAIL = "query($n: String!) { order(number: $n) { number lines { sku } } }"


async def test_uncached_statements_serve_requests(db: Database, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("asyncpg's statement cache is PostgreSQL's")
    url = db.engine.url.render_as_string(hide_password=False)
    url += "?prepared_statement_cache_size=0&statement_cache_size=0"
    uncached = Database.connect(url)
    try:
        async with uncached.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            assert driver._stmt_cache.get_max_size() == 0
        app = create_app(Settings(database_url=url), database=uncached)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            gql = GraphQLClient(http)
            await gql.login("agent")
            for _ in range(3):  # the same statements again: no name may collide
                order = (await gql.data(DETAIL, {"n": "100001"}))["order"]
                assert order["number"] == "100001" and order["lines"]
    finally:
        await uncached.dispose()
