"""The outbox worker: claims due messages, delivers them, and records what was delivered.

Delivery is at least once. A claim takes a batch of due PENDING messages (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so several workers never claim the same message) and leases them:
their next attempt moves ``outbox_lease_seconds`` ahead. A worker that dies mid-delivery
therefore loses nothing: the message becomes due again when the lease runs out. Failures are
retried with exponential backoff; after ``outbox_max_attempts`` the message is DEAD, shown to
administrators and retried on request. Receivers de-duplicate on the delivery id.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select, update

from core.config import Settings
from core.db import Database, rows_changed
from models import OutboxMessage
from models.base import utcnow
from models.enums import Destination, OutboxStatus
from worker.channels import Channel, channels_for
from worker.delivery import DeliveryFailed, Receipt
from worker.emails import NoTemplate

log = logging.getLogger("csdesk.worker")


class Outcome(enum.Enum):
    """What became of one attempt."""

    DELIVERED = "delivered"
    RETRY = "retry"  # failed; due again after the backoff
    DEAD = "dead"  # failed for the last allowed time


@dataclass(frozen=True)
class Failure:
    """A failed attempt, as the report of a run lists it."""

    message_id: int
    destination: Destination
    topic: str
    error: str
    outcome: Outcome


@dataclass
class Report:
    """What one run did: how many messages were delivered, are to be retried, are dead, and
    the error of each failed attempt."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[Failure] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.DELIVERED:
            self.delivered += 1
        elif outcome is Outcome.RETRY:
            self.retried += 1
        else:
            self.dead += 1

    @property
    def busy(self) -> bool:
        return bool(self.delivered or self.retried or self.dead)


def backoff(settings: Settings, attempts: int) -> dt.timedelta:
    """Delay before the next attempt after ``attempts`` failed ones: base × 2^(n−1), capped."""
    seconds = settings.outbox_retry_base_seconds * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.outbox_retry_max_seconds))


async def claim(
    db: Database, settings: Settings, limit: int = 20, due_by: dt.datetime | None = None
) -> list[OutboxMessage]:
    """Lease up to ``limit`` messages due by ``due_by`` (default: now) to this worker."""
    now = utcnow()
    async with db.write() as session:
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= (due_by or now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if not db.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        messages = list(await session.scalars(stmt))
        lease = now + dt.timedelta(seconds=settings.outbox_lease_seconds)
        for message in messages:
            message.attempts += 1
            message.next_attempt_at = lease
        await session.commit()
    return messages


async def _finish(
    db: Database,
    settings: Settings,
    channel: Channel,
    message: OutboxMessage,
    receipt: Receipt | None,
    error: str | None,
) -> Outcome:
    """Record the attempt's result, unless another worker took the message over meanwhile."""
    async with db.write() as session:
        guard = (
            OutboxMessage.id == message.id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts == message.attempts,
        )
        if receipt is not None:
            result = await session.execute(
                update(OutboxMessage)
                .where(*guard)
                .values(status=OutboxStatus.DELIVERED, delivered_at=utcnow(), last_error=None)
            )
            outcome = Outcome.DELIVERED
            if rows_changed(result) == 1:
                await channel.after_delivery(session, message, receipt)
        else:
            dead = message.attempts >= settings.outbox_max_attempts
            values: dict[str, object] = {"last_error": (error or "")[:2000]}
            if dead:
                values["status"] = OutboxStatus.DEAD
                outcome = Outcome.DEAD
            else:
                values["next_attempt_at"] = utcnow() + backoff(settings, message.attempts)
                outcome = Outcome.RETRY
            await session.execute(update(OutboxMessage).where(*guard).values(**values))
        await session.commit()
    return outcome


async def process(
    db: Database,
    settings: Settings,
    channels: Mapping[Destination, Channel],
    message: OutboxMessage,
    report: Report,
) -> Outcome:
    """Deliver one claimed message through its destination's channel and record the result."""
    channel = channels[message.destination]
    receipt: Receipt | None = None
    error: str | None = None
    try:
        receipt = await channel.deliver(message)
    except (DeliveryFailed, NoTemplate, OSError) as exc:
        error = str(exc)
        log.warning("outbox message %s (%s) failed: %s", message.id, message.topic, error)
    outcome = await _finish(db, settings, channel, message, receipt, error)
    report.count(outcome)
    if error is not None:
        report.errors.append(
            Failure(message.id, message.destination, message.topic, error, outcome)
        )
    return outcome


async def run_once(db: Database, settings: Settings, *, batch: int = 20) -> Report:
    """Deliver every message that is due now, then return; retries scheduled during the run
    wait for a later one."""
    report = Report()
    started = utcnow()
    async with httpx.AsyncClient(timeout=10.0) as http:
        channels = channels_for(db, settings, http)
        while True:
            messages = await claim(db, settings, batch, due_by=started)
            if not messages:
                return report
            for message in messages:
                await process(db, settings, channels, message, report)


async def run_forever(
    db: Database,
    settings: Settings,
    *,
    poll_seconds: float = 1.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Deliver due messages until ``stop`` is set, polling when the outbox is empty."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            report = await run_once(db, settings)
            if report.busy:
                log.info(
                    "outbox: %d delivered, %d to retry, %d dead",
                    report.delivered,
                    report.retried,
                    report.dead,
                )
        except Exception:  # keep the worker alive through a database hiccup
            log.exception("outbox worker iteration failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
