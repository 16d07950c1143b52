"""The outbox worker: one lane per destination, each claiming that destination's due
messages, delivering them one by one through its channel and recording what became of each.

Delivery is at least once: a worker that dies mid-delivery loses nothing, the message becomes
due again when its lease runs out (worker/lease.py) and is delivered again with the same
delivery id, on which receivers de-duplicate. Each delivery first renews its lease and is
skipped if another worker holds the message now; it gets at most half the lease to finish.
Lanes run side by side, so a receiver that hangs delays only its own destination's messages.
Failures are retried with exponential backoff; after ``outbox_max_attempts`` the message is
DEAD, shown to administrators and retried on request.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from core.config import Settings
from core.db import Database
from models.base import utcnow
from models.enums import Destination, OutboxStatus
from resolvers import warehouse_simulator
from resolvers.errors import DomainError
from resolvers.purge import purge
from worker.channels import Channel, channels_for
from worker.delivery import DeliveryFailed, Receipt
from worker.emails import NoTemplate
from worker.lease import Lease, backoff, claim, delivery_deadline, release, renew, settle

log = logging.getLogger("csdesk.worker")

BATCH = 20


class Outcome(enum.Enum):
    """What became of one claimed message."""

    DELIVERED = "delivered"
    RETRY = "retry"  # failed; due again after the backoff
    DEAD = "dead"  # failed for the last allowed time
    SKIPPED = "skipped"  # another worker held it by the time its turn came: not sent
    LOST = "lost"  # sent, but the lease was lost meanwhile: the new holder records it


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
    """What a run did: a count per outcome, and the error of each failed attempt."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0
    lost: int = 0
    errors: list[Failure] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        match outcome:
            case Outcome.DELIVERED:
                self.delivered += 1
            case Outcome.RETRY:
                self.retried += 1
            case Outcome.DEAD:
                self.dead += 1
            case Outcome.SKIPPED:
                self.skipped += 1
            case Outcome.LOST:
                self.lost += 1

    @property
    def busy(self) -> bool:
        return bool(self.delivered or self.retried or self.dead or self.skipped or self.lost)

    def summary(self) -> str:
        text = f"{self.delivered} delivered, {self.retried} to retry later, {self.dead} dead"
        if self.skipped or self.lost:
            text += f", {self.skipped + self.lost} taken over by another worker"
        return text


async def _deliver(settings: Settings, channel: Channel, lease: Lease) -> Receipt | str:
    """The receipt of the delivery, or the error that stopped it."""
    deadline = delivery_deadline(settings)
    scope = asyncio.timeout(deadline)
    try:
        async with scope:
            return await channel.deliver(lease.message)
    except (DeliveryFailed, NoTemplate, OSError) as exc:  # TimeoutError is an OSError
        if scope.expired():
            return f"no answer within {deadline:g} s"
        return str(exc) or type(exc).__name__


async def _failed(
    db: Database, settings: Settings, lease: Lease, error: str, report: Report
) -> Outcome:
    """Record a failed attempt: due again after the backoff, or DEAD after the last one."""
    message = lease.message
    log.warning("outbox message %s (%s) failed: %s", message.id, message.topic, error)
    dead = lease.attempts >= settings.outbox_max_attempts
    values: dict[str, Any] = {"last_error": error[:2000]}
    if dead:
        values["status"] = OutboxStatus.DEAD
    else:
        values["next_attempt_at"] = utcnow() + backoff(settings, lease.attempts)
    if not await settle(db, lease, values):
        outcome = Outcome.LOST
    else:
        outcome = Outcome.DEAD if dead else Outcome.RETRY
    report.errors.append(Failure(message.id, message.destination, message.topic, error, outcome))
    report.count(outcome)
    return outcome


async def process(
    db: Database, settings: Settings, channel: Channel, lease: Lease, report: Report
) -> Outcome:
    """Deliver one claimed message through its channel, if this worker still holds it, and
    record the result."""
    message = lease.message
    if not await renew(db, settings, lease):
        report.count(Outcome.SKIPPED)
        return Outcome.SKIPPED
    result = await _deliver(settings, channel, lease)
    if isinstance(result, str):
        return await _failed(db, settings, lease, result, report)
    after = partial(channel.after_delivery, message=message, receipt=result)
    values = {"status": OutboxStatus.DELIVERED, "delivered_at": utcnow(), "last_error": None}
    try:
        held = await settle(db, lease, values, after)
    except Exception as exc:  # what the delivery changes failed: retried, then DEAD
        log.exception("outbox message %s (%s): after delivery", message.id, message.topic)
        # A domain refusal says what is wrong; any other error's text (a database error holds
        # its SQL) stays in the log: lastError is shown to administrators.
        said = repr(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}, see the log"
        return await _failed(db, settings, lease, f"after delivery: {said}", report)
    outcome = Outcome.DELIVERED if held else Outcome.LOST
    report.count(outcome)
    return outcome


async def drain(
    db: Database,
    settings: Settings,
    destination: Destination,
    channel: Channel,
    report: Report,
    *,
    batch: int = BATCH,
    stop: asyncio.Event | None = None,
) -> None:
    """Deliver the destination's messages due now, until none is left (or ``stop`` is set:
    messages claimed but not tried are handed back)."""
    started = utcnow()
    while True:
        leases = await claim(db, settings, batch, due_by=started, destination=destination)
        if not leases:
            return
        for n, lease in enumerate(leases):
            if stop is not None and stop.is_set():
                for rest in leases[n:]:
                    await release(db, rest)
                return
            await process(db, settings, channel, lease, report)


def _http(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=min(10.0, delivery_deadline(settings)))


async def run_once(db: Database, settings: Settings, *, batch: int = BATCH) -> Report:
    """Deliver every message that is due now, each destination in its own lane, then return;
    retries scheduled during the run wait for a later one."""
    report = Report()
    await _simulate_warehouse(db, settings)
    async with _http(settings) as http:
        channels = channels_for(db, settings, http)
        results = await asyncio.gather(
            *(drain(db, settings, d, channels[d], report, batch=batch) for d in Destination),
            return_exceptions=True,  # one lane's failure does not cut the others short
        )
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return report


async def _lane(
    db: Database,
    settings: Settings,
    destination: Destination,
    channel: Channel,
    poll_seconds: float,
    stop: asyncio.Event,
) -> None:
    while not stop.is_set():
        report = Report()
        try:
            await drain(db, settings, destination, channel, report, stop=stop)
            if report.busy:
                log.info("outbox %s: %s", destination.value, report.summary())
        except Exception:  # keep the lane alive through a database hiccup
            log.exception("outbox worker (%s) iteration failed", destination.value)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)


async def run_forever(
    db: Database,
    settings: Settings,
    *,
    poll_seconds: float = 1.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Deliver due messages until ``stop`` is set, one lane per destination, each polling
    when its destination has nothing due."""
    stop = stop or asyncio.Event()
    async with _http(settings) as http:
        channels = channels_for(db, settings, http)
        await asyncio.gather(
            *(_lane(db, settings, d, channels[d], poll_seconds, stop) for d in Destination),
            _warehouse_lane(db, settings, poll_seconds, stop),
            _purge_lane(db, settings, stop),
        )


async def _simulate_warehouse(db: Database, settings: Settings) -> None:
    """The demo's warehouse takes its next steps (resolvers.warehouse_simulator), when on."""
    if settings.warehouse_simulator:
        await warehouse_simulator.step(db, delay_seconds=settings.warehouse_simulator_delay_seconds)


async def _warehouse_lane(
    db: Database, settings: Settings, poll_seconds: float, stop: asyncio.Event
) -> None:
    while settings.warehouse_simulator and not stop.is_set():
        try:
            await _simulate_warehouse(db, settings)
        except Exception:  # keep the demo going through a database hiccup
            log.exception("warehouse simulator step failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)


async def _purge_lane(db: Database, settings: Settings, stop: asyncio.Event) -> None:
    """The purge (resolvers/purge.py) when the worker starts, then every
    ``purge_interval_minutes``; 0 turns it off (e.g. when a cron job runs `csdesk purge`)."""
    interval = settings.purge_interval_minutes * 60
    while interval > 0 and not stop.is_set():
        try:
            report = await purge(db, settings)
            if report.total:
                log.info("purge: %s", report.summary())
        except Exception:  # try again next time
            log.exception("purge failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
