"""The purge: ``csdesk purge`` (--dry-run, batches, progress, summary) and the worker's
scheduled run delete expired idempotency records, dead sessions and old login attempts, and
nothing a signed-in user or a retrying client still relies on."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core.db import Database
from csdesk.cli import main
from models import IdempotencyRecord, LoginAttempt, SessionToken, User
from models.base import utcnow
from models.enums import TokenKind
from tests.conftest import GraphQLClient, make_settings

NOW = utcnow()
DAY = dt.timedelta(days=1)
VIEWER = "{ viewer { username } }"


def _hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


async def fill(db: Database) -> None:
    """Rows to delete (names start with "old") and rows to keep, of each kind."""
    async with db.write() as session:
        agent = await session.scalar(select(User.id).where(User.username == "agent"))
        assert agent is not None
        for key, age in [("old-1", 8 * DAY), ("old-2", 30 * DAY), ("old-3", 7 * DAY + DAY / 24),
                         ("keep-1", 6 * DAY), ("keep-2", dt.timedelta(minutes=5))]:  # fmt: skip
            session.add(
                IdempotencyRecord(user_id=agent, key=key, operation="orderCommentAdd",
                                  request_hash="h", response={}, created_at=NOW - age)
            )  # fmt: skip
        sessions = [
            ("old-revoked", TokenKind.SESSION, NOW - DAY, NOW - 2 * DAY),
            ("old-idle", TokenKind.SESSION, NOW - dt.timedelta(hours=13), None),
            ("old-revoked-api", TokenKind.API, NOW - 90 * DAY, NOW - DAY),
            ("keep-active", TokenKind.SESSION, NOW - dt.timedelta(hours=11), None),
            ("keep-api", TokenKind.API, NOW - 400 * DAY, None),  # API tokens do not idle out
        ]
        for name, kind, used, revoked in sessions:
            session.add(
                SessionToken(token_hash=_hash(name), user_id=agent, kind=kind,
                             created_at=used, last_used_at=used, revoked_at=revoked)
            )  # fmt: skip
        for name, age in [("old", 31 * DAY), ("old", 365 * DAY), ("keep", 29 * DAY),
                          ("keep", dt.timedelta(minutes=1))]:  # fmt: skip
            session.add(LoginAttempt(username=name, address="10.0.0.1", at=NOW - age,
                                     success=False))  # fmt: skip
        await session.commit()


async def remaining(db: Database) -> dict[str, Any]:
    async with db.read() as session:
        keys = set(await session.scalars(select(IdempotencyRecord.key)))
        hashes = set(await session.scalars(select(SessionToken.token_hash)))
        attempts = {
            name: n
            for name, n in (
                await session.execute(
                    select(LoginAttempt.username, func.count()).group_by(LoginAttempt.username)
                )
            ).all()
        }
    names = ["old-revoked", "old-idle", "old-revoked-api", "keep-active", "keep-api"]
    return {
        "keys": {k for k in keys if k.startswith(("old", "keep"))},
        "sessions": {n for n in names if _hash(n) in hashes},
        "attempts": {k: v for k, v in attempts.items() if k in {"old", "keep"}},
    }


KEPT = {
    "keys": {"keep-1", "keep-2"},
    "sessions": {"keep-active", "keep-api"},
    "attempts": {"keep": 2},
}


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    async def run(db: Database, *argv: str) -> int:
        monkeypatch.setenv("CSDESK_DATABASE_URL", db.engine.url.render_as_string(False))
        return await asyncio.to_thread(main, list(argv))

    return run


async def test_dry_run_counts_and_deletes_nothing(
    db: Database, cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    await fill(db)
    before = await remaining(db)
    assert await cli(db, "purge", "--dry-run") == 0
    out, _ = capsys.readouterr()
    assert out.strip() == (
        "csdesk purge: would delete 3 idempotency records, 3 sessions, 2 login attempts"
    )
    assert await remaining(db) == before


async def test_purge_deletes_in_batches_with_progress_and_a_summary(
    db: Database, client: httpx.AsyncClient, gql: GraphQLClient, cli: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await fill(db)
    token = await gql.login("agent")  # a live session: the purge must not sign it out
    capsys.readouterr()
    assert await cli(db, "purge", "--batch", "2") == 0
    out, err = capsys.readouterr()
    assert (
        out.strip() == "csdesk purge: deleted 3 idempotency records, 3 sessions, 2 login attempts"
    )
    assert err.splitlines() == [
        "csdesk purge: idempotency records: 2 deleted so far",
        "csdesk purge: idempotency records: 3 deleted so far",
        "csdesk purge: sessions: 2 deleted so far",
        "csdesk purge: sessions: 3 deleted so far",
        "csdesk purge: login attempts: 2 deleted so far",
    ]
    assert await remaining(db) == KEPT
    assert (await gql.data(VIEWER))["viewer"] == {"username": "agent"}
    assert token == gql.token

    assert await cli(db, "purge") == 0  # nothing left: says so
    out, err = capsys.readouterr()
    assert (
        out.strip() == "csdesk purge: deleted 0 idempotency records, 0 sessions, 0 login attempts"
    )
    assert err == ""


def test_purge_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["purge", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--dry-run" in out and "--batch" in out and "CSDESK_PURGE_INTERVAL_MINUTES" in out


async def test_the_worker_purges_on_its_schedule(db: Database) -> None:
    from worker.runner import run_forever

    await fill(db)
    stop = asyncio.Event()
    settings = make_settings(db, purge_interval_minutes=60.0)
    task = asyncio.create_task(run_forever(db, settings, poll_seconds=0.05, stop=stop))
    try:
        for _ in range(200):  # the first run starts with the worker
            if await remaining(db) == KEPT:
                break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
    assert await remaining(db) == KEPT


async def test_the_worker_does_not_purge_when_turned_off(db: Database) -> None:
    from worker.runner import run_forever

    await fill(db)
    before = await remaining(db)
    stop = asyncio.Event()
    settings = make_settings(db, purge_interval_minutes=0.0)
    task = asyncio.create_task(run_forever(db, settings, poll_seconds=0.05, stop=stop))
    await asyncio.sleep(0.5)
    stop.set()
    await task
    assert await remaining(db) == before
