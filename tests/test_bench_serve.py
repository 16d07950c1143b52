"""The benchmark's csdesk server starts in production mode on a database the harness
prepared: production refuses the development webhook secret and demo passwords, so the
harness gives its server a secret and the demo users a password of the bench's own."""

from __future__ import annotations

import httpx

from bench.database import bench_password, fit_for_production
from bench.runner import login
from bench.serve import csdesk_app
from core.db import Database


async def test_the_bench_server_starts_in_production_and_signs_in(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    await fit_for_production(url)
    wrapped = csdesk_app(url)
    app = wrapped.app
    # refuse_unfit runs in the lifespan
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=wrapped), base_url="http://bench"
        ) as client,
    ):
        token = await login(client, "agent", bench_password("agent"))
        response = await client.post(
            "/graphql",
            json={"query": "{ viewer { username } }"},
            headers={"authorization": f"Bearer {token}"},
        )
    assert response.json()["data"] == {"viewer": {"username": "agent"}}
    assert int(response.headers["x-bench-statements"]) >= 1
    # A second preparation leaves the bench's password as it is.
    await fit_for_production(url)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=wrapped), base_url="http://bench"
        ) as client,
    ):
        assert await login(client, "agent", bench_password("agent"))
