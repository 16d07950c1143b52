"""The purge: rows that only grow and are no longer of use, deleted in batches.

- **Idempotency records** older than ``CSDESK_IDEMPOTENCY_RETENTION_DAYS`` (7): a client
  retrying with the same key after that runs the mutation again; its ``expectedVersion``
  still guards the order against a second change. Integration event ids
  (``inbound_event``) are kept for good: a warehouse may replay an event months later, and
  each must still change nothing the second time.
- **Sessions** that can never sign anybody in again: revoked (logout, deactivation, a revoked
  API token) or idle past ``CSDESK_SESSION_IDLE_HOURS``. API tokens do not idle out.
- **Login attempts** older than ``CSDESK_LOGIN_ATTEMPT_RETENTION_DAYS`` (30), and never those
  of the window that throttles sign-ins (15 minutes).

Each batch is its own short write transaction (deleting by id, at most ``batch`` rows), so
the purge never holds SQLite's write lock or PostgreSQL's row locks for long; on PostgreSQL
rows another purge holds are skipped, so workers running it at once do not wait on each
other. Run by ``csdesk purge`` and by ``csdesk worker`` every ``CSDESK_PURGE_INTERVAL_MINUTES``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select

from core.config import Settings
from core.db import Database, rows_changed
from models import IdempotencyRecord, LoginAttempt, SessionToken
from models.base import utcnow
from models.enums import TokenKind
from resolvers.login import FAILURE_WINDOW

BATCH = 1000


@dataclass(frozen=True)
class Target:
    """One kind of row the purge deletes: its table and what makes a row deletable."""

    name: str
    model: Any
    condition: Callable[[dt.datetime, Settings], ColumnElement[bool]]


def _idempotency(now: dt.datetime, settings: Settings) -> ColumnElement[bool]:
    cutoff = now - dt.timedelta(days=settings.idempotency_retention_days)
    return IdempotencyRecord.created_at < cutoff


def _sessions(now: dt.datetime, settings: Settings) -> ColumnElement[bool]:
    idle_since = now - dt.timedelta(hours=settings.session_idle_hours)
    return or_(
        SessionToken.revoked_at.is_not(None),
        (SessionToken.kind == TokenKind.SESSION) & (SessionToken.last_used_at < idle_since),
    )


def _login_attempts(now: dt.datetime, settings: Settings) -> ColumnElement[bool]:
    kept = max(dt.timedelta(days=settings.login_attempt_retention_days), FAILURE_WINDOW)
    return LoginAttempt.at < now - kept


TARGETS = (
    Target("idempotency records", IdempotencyRecord, _idempotency),
    Target("sessions", SessionToken, _sessions),
    Target("login attempts", LoginAttempt, _login_attempts),
)


@dataclass
class PurgeReport:
    """Rows deleted (or, on a dry run, that would be) per target."""

    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=lambda: {t.name: 0 for t in TARGETS})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return f"{verb} " + ", ".join(f"{n:,} {name}" for name, n in self.counts.items())


Progress = Callable[[str, int], None]


async def _delete_batch(db: Database, target: Target, now: dt.datetime, s: Settings, n: int) -> int:
    model = target.model
    ids = select(model.id).where(target.condition(now, s)).order_by(model.id).limit(n)
    if not db.is_sqlite:
        ids = ids.with_for_update(skip_locked=True)
    statement = delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False)
    async with db.write() as session, session.begin():
        return rows_changed(await session.execute(statement))


async def purge(
    db: Database,
    settings: Settings,
    *,
    batch: int = BATCH,
    dry_run: bool = False,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> PurgeReport:
    """Delete what the module docstring lists, ``batch`` rows per transaction; on a dry run
    only count it. ``progress(target, rows so far)`` is called after each batch."""
    now = now or utcnow()
    report = PurgeReport(dry_run=dry_run)
    for target in TARGETS:
        if dry_run:
            query = select(func.count()).select_from(target.model)
            async with db.read() as session:
                found = await session.scalar(query.where(target.condition(now, settings)))
            report.counts[target.name] = int(found or 0)
            continue
        while True:
            deleted = await _delete_batch(db, target, now, settings, batch)
            report.counts[target.name] += deleted
            if deleted and progress is not None:
                progress(target.name, report.counts[target.name])
            if deleted < batch:
                break
    return report
