"""Leases on outbox messages: which worker may deliver a message, and record its result.

A claim takes due PENDING messages of one destination (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite serialises writers) and leases them: ``attempts`` goes up by one and
``next_attempt_at`` moves ``outbox_lease_seconds`` ahead, so no other claim sees them until
the lease runs out. The pair (attempts, next_attempt_at) *is* the lease: every later write of
the holder is a compare-and-set on it, in one UPDATE, on both engines:

- ``renew`` just before a delivery moves the lease a full period ahead, or fails when
  another worker (or an administrator's retry) took the message meanwhile, and the message is
  then skipped, not delivered a second time;
- ``settle`` records the result (and runs the channel's after-delivery changes in the same
  transaction) only while the lease is still held;
- ``release`` hands a message not yet tried back at once (a worker that stops).

A delivery gets at most half the lease (``delivery_deadline``), so it ends, one way or
the other, while its renewed lease still holds: two workers never deliver one message at
the same time unless the database was slower than half a lease to record a result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.db import Database, rows_changed
from models import OutboxMessage
from models.base import utcnow
from models.enums import Destination, OutboxStatus


@dataclass
class Lease:
    """A claimed message, and the lease that makes it this worker's."""

    message: OutboxMessage
    attempts: int
    until: dt.datetime


def backoff(settings: Settings, attempts: int) -> dt.timedelta:
    """Delay before the next attempt after ``attempts`` failed ones: base × 2^(n−1), capped."""
    seconds = settings.outbox_retry_base_seconds * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.outbox_retry_max_seconds))


def delivery_deadline(settings: Settings) -> float:
    """Seconds one delivery may take: half the lease, so that its result is recorded while
    the lease renewed just before it still holds."""
    return settings.outbox_lease_seconds / 2


async def claim(
    db: Database,
    settings: Settings,
    limit: int = 20,
    *,
    due_by: dt.datetime | None = None,
    destination: Destination | None = None,
) -> list[Lease]:
    """Lease up to ``limit`` messages due by ``due_by`` (default: now), of ``destination``
    (default: any), oldest due first."""
    now = utcnow()
    where: list[ColumnElement[bool]] = [
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.next_attempt_at <= (due_by or now),
    ]
    if destination is not None:
        where.append(OutboxMessage.destination == destination)
    async with db.write() as session:
        stmt = (
            select(OutboxMessage)
            .where(*where)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if not db.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        messages = list(await session.scalars(stmt))
        until = now + dt.timedelta(seconds=settings.outbox_lease_seconds)
        for message in messages:
            message.attempts += 1
            message.next_attempt_at = until
        await session.commit()
    return [Lease(message, message.attempts, until) for message in messages]


def _held(lease: Lease) -> tuple[ColumnElement[bool], ...]:
    return (
        OutboxMessage.id == lease.message.id,
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.attempts == lease.attempts,
        OutboxMessage.next_attempt_at == lease.until,
    )


async def _swap(db: Database, lease: Lease, values: dict[str, Any]) -> bool:
    async with db.write() as session:
        changed = rows_changed(
            await session.execute(update(OutboxMessage).where(*_held(lease)).values(**values))
        )
        await session.commit()
    return changed == 1


async def renew(db: Database, settings: Settings, lease: Lease) -> bool:
    """Extend the lease by a full period from now; False if this worker no longer holds it.
    A lease that ran out but that nobody took over is still this worker's."""
    until = utcnow() + dt.timedelta(seconds=settings.outbox_lease_seconds)
    if not await _swap(db, lease, {"next_attempt_at": until}):
        return False
    lease.until = until
    return True


async def release(db: Database, lease: Lease) -> bool:
    """Give a message this worker will not try back: due now, its claim not counted."""
    return await _swap(db, lease, {"next_attempt_at": utcnow(), "attempts": lease.attempts - 1})


async def settle(
    db: Database,
    lease: Lease,
    values: dict[str, Any],
    then: Callable[[AsyncSession], Awaitable[None]] | None = None,
) -> bool:
    """Write ``values`` onto the message and run ``then`` in the same transaction, if this
    worker still holds the lease; False (and nothing written) if it does not."""
    async with db.write() as session:
        result = await session.execute(update(OutboxMessage).where(*_held(lease)).values(**values))
        if rows_changed(result) != 1:
            await session.rollback()
            return False
        if then is not None:
            await then(session)
        await session.commit()
    return True
