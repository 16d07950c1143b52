"""The benchmark's raw baseline (bench/raw) answers the queue, detail and search cases byte for
byte like csdesk, for a store-scoped agent and for a supervisor in another time zone. Equality
only: the figures come from ``make bench``, never from a test."""

from __future__ import annotations

import httpx
import pytest

from bench import cases
from bench.raw.app import RawApp
from bench.runner import check, deep_cursor, login
from core.db import Database
from csdesk.app import create_app
from tests.conftest import SEED_ORDERS, make_settings


@pytest.mark.parametrize("user", ["agent", "supervisor"])
async def test_raw_baseline_answers_like_csdesk(db: Database, user: str) -> None:
    # Production mode: no extensions.sqlStatements, exactly what the benchmark compares.
    app = create_app(make_settings(db, environment="production"), database=db)
    raw = RawApp(db.engine.url.render_as_string(hide_password=False), pool_size=2)
    await raw.db.open()
    try:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as c,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=raw), base_url="http://r") as r,
        ):
            token = await login(c, user, user)
            fixtures = await cases.fixtures(raw.db, user, SEED_ORDERS)
            assert fixtures.rich, "the seed holds an order with actions and a derived order"
            read = cases.read_cases(fixtures, await deep_cursor(c, token, 2, first=20))
            groups = {case.group for case in read}
            assert {"queue", "detail", "search"} <= groups
            differ = []
            for case in read:
                found = await check(c, r, token, case)
                if not found.equal:
                    differ.append(f"{case.name}: {found.detail}")
            assert not differ, "\n".join(differ)
    finally:
        await raw.db.close()
