"""Issue 11 item 3: any unexpected error is masked. With the database down, ``login`` answered
with the connection error's text; a failing statement answered with the SQL. Now, in
development and in production alike, the client gets a generic message with a request id and
``extensions.code = "INTERNAL_SERVER_ERROR"``, and the log gets the traceback, once, under
that request id."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.config import Settings
from core.db import Database
from csdesk.app import create_app
from tests.conftest import GraphQLClient, make_settings
from tests.security.fingerprint import leaks

LOGIN = """mutation { login(input: {username: "agent", password: "agent"}) { __typename } }"""
QUEUE = "{ orders(first: 5) { edges { node { number store { code } } } } }"


@asynccontextmanager
async def served(db: Database, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(db, **settings), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http


def masked(response: httpx.Response, caplog: pytest.LogCaptureFixture) -> str:
    """The request id of a masked answer, after checking it says nothing more and that the
    log holds the traceback exactly once under that id."""
    assert leaks(response.text) == [], response.text
    body = response.json()
    (error,) = body["errors"]
    request_id = error["extensions"]["requestId"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["message"] == (
        f"Internal server error; quote request id {request_id} when you report it."
    )
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert len(logged) == 1, [r.getMessage() for r in caplog.records]
    assert logged[0].exc_info is not None and logged[0].levelno == logging.ERROR
    return str(request_id)


def unreachable(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/csdesk.db"
    from tests.conftest import PG_URL

    assert PG_URL
    # A port nothing listens on.
    return make_url(PG_URL).set(port=1).render_as_string(hide_password=False)


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_login_with_the_database_down_is_masked(
    backend: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, environment: str
) -> None:
    url = unreachable(backend, tmp_path)
    db = Database.connect(url)
    app = create_app(Settings(database_url=url, environment=environment), database=db)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            with caplog.at_level(logging.ERROR):
                response = await http.post("/graphql", json={"query": LOGIN})
                assert response.status_code == 200
                assert response.json()["data"] is None
                masked(response, caplog)
                # Signed in with a token, the session is read before any operation runs.
                caplog.clear()
                response = await http.post(
                    "/graphql",
                    json={"query": "{ viewer { username } }"},
                    headers={"authorization": "Bearer some-token"},
                )
                assert response.status_code == 500
                masked(response, caplog)
    finally:
        await db.dispose()
        # A failed SQLite connection leaves aiosqlite's thread to be stopped when the
        # connection is collected: collect it while this test's event loop still runs, so
        # that the thread answers this loop and not a closed one (a later test's error).
        gc.collect()
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_a_failing_statement_never_shows_its_sql(
    db: Database, caplog: pytest.LogCaptureFixture, environment: str
) -> None:
    async with served(db, environment=environment) as http:
        gql = GraphQLClient(http)
        await gql.login("supervisor")
        async with db.write() as session:  # the store table goes away under the server
            await session.execute(text("ALTER TABLE store RENAME TO store_gone"))
            await session.commit()
        with caplog.at_level(logging.ERROR):
            response = await http.post(
                "/graphql",
                json={"query": QUEUE},
                headers={"authorization": f"Bearer {gql.token}"},
            )
        assert response.status_code == 200
        assert "store_gone" not in response.text
        masked(response, caplog)
