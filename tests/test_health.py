"""Health over real HTTP: /health/live answers while the process runs; /health/ready and
/health answer 200 only when the database answers and is migrated to this release's head,
503 with the reason otherwise (an empty database, an older revision, no server)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.db import Database
from csdesk.app import create_app
from csdesk.migrate import current_heads, upgrade
from tests.conftest import PG_URL, _pg_admin, _pg_url


@pytest.fixture
async def blank_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database that exists and answers but holds nothing (never migrated)."""
    if backend == "sqlite":
        path = tmp_path / "blank.sqlite"
        sqlite3.connect(path).close()
        yield f"sqlite+aiosqlite:///{path}"
        return
    assert PG_URL
    name = f"csdesk_blank_{tmp_path.name[-12:].replace('-', '_')}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def get(url: str, path: str) -> httpx.Response:
    db = Database.connect(url)
    app = create_app(Settings(database_url=url), database=db)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            return await http.get(path)
    finally:
        await db.dispose()


async def test_live_and_ready_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    live = await client.get("/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    for path in ("/health/ready", "/health"):
        ready = await client.get(path)
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["status"] == "ok" and body["database"] in {"sqlite", "postgresql"}
        assert body["revision"] == sorted(current_heads())


async def test_an_unmigrated_database_is_not_ready(blank_url: str) -> None:
    assert (await get(blank_url, "/health/live")).status_code == 200
    for path in ("/health/ready", "/health"):
        response = await get(blank_url, path)
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable" and body["database"] == "not_migrated"
        assert body["revision"] == [] and "csdesk db upgrade" in body["reason"]


async def test_an_older_revision_is_not_ready_until_upgraded(blank_url: str) -> None:
    await asyncio.to_thread(upgrade, blank_url, "0002")
    response = await get(blank_url, "/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["revision"] == ["0002"] and body["expected"] == sorted(current_heads())
    assert "0002" in body["reason"]
    await asyncio.to_thread(upgrade, blank_url)
    assert (await get(blank_url, "/health/ready")).status_code == 200


async def test_an_unreachable_database_is_not_ready(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/csdesk.db"
    else:
        url = "postgresql+asyncpg://postgres@127.0.0.1:1/csdesk"
    assert (await get(url, "/health/live")).status_code == 200
    response = await get(url, "/health/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert (await get(url, "/health")).status_code == 503
    # aiosqlite finishes a failed connection on its own thread: let it end while this test's
    # event loop is open, or its last callback meets a closed loop in the next test.
    for _ in range(100):
        if not any("_connection_worker_thread" in t.name for t in threading.enumerate()):
            break
        await asyncio.sleep(0.05)
