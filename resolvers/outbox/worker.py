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
import logging
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.db import Database, rows_changed
from models import Line, Order, OutboxMessage, Store
from models.base import utcnow
from models.enums import HistoryKind, OutboxStatus
from resolvers import payments, warehouse_simulator
from resolvers.errors import RefundNotOpen
from resolvers.journal import add_history, enqueue
from resolvers.outbox import channels, emails

log = logging.getLogger("csdesk.worker")


@dataclass
class Report:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


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


async def _order_context(
    session: AsyncSession, order_id: int | None
) -> tuple[Order, list[Line], str] | None:
    if order_id is None:
        return None
    found = (
        await session.execute(
            select(Order, Store).join(Store, Store.id == Order.store_id).where(Order.id == order_id)
        )
    ).one_or_none()
    if found is None:
        return None
    lines = list(
        await session.scalars(select(Line).where(Line.order_id == order_id).order_by(Line.number))
    )
    return found[0], lines, found[1].name


async def deliver(
    db: Database, settings: Settings, message: OutboxMessage, http: httpx.AsyncClient
) -> str:
    """Send one message; returns a note for the history. Raises DeliveryFailed to retry."""
    if message.destination == "EMAIL":
        async with db.read() as session:
            context = await _order_context(session, message.order_id)
        if context is None:
            raise channels.DeliveryFailed(f"order {message.order_id} of the email is gone")
        order, lines, store_name = context
        email = emails.render(message.topic, order, lines, message.payload, store_name)
        await channels.send_email(settings, email, message.id)
        return f"{email.recipient}\n{email.subject}"
    if message.destination in {"PAYMENT", "WAREHOUSE"}:
        url = (
            settings.payment_webhook_url
            if message.destination == "PAYMENT"
            else settings.warehouse_webhook_url
        )
        if url:
            await channels.post_webhook(http, url, settings.webhook_secret, message)
            return url
        return str(await asyncio.to_thread(channels.spool, settings.spool_dir, message))
    if message.destination == "SIMULATOR":
        return "simulated"
    raise channels.DeliveryFailed(f"unknown destination {message.destination!r}")


async def _after_delivery(
    session: AsyncSession, settings: Settings, message: OutboxMessage, note: str
) -> None:
    """What a delivery changes, in the transaction that marks it delivered."""
    payload = message.payload
    if message.destination == "EMAIL" and message.order_id is not None:
        recipient, _, subject = note.partition("\n")
        add_history(
            session,
            message.order_id,
            HistoryKind.CUSTOMER_EMAIL,
            f"Email sent to {recipient}: {subject}",
            actor_label="email",
            details={
                "recipient": recipient,
                "subject": subject,
                "topic": message.topic,
                "deliveryId": message.id,
            },
        )
    elif message.destination == "PAYMENT" and message.topic == "credit_note":
        refund = await payments.mark_pending_release(session, int(payload["refundId"]))
        if refund is not None and settings.payment_simulator:
            simulated = enqueue(
                session,
                "SIMULATOR",
                "payment_confirmation",
                {"refundId": refund.id},
                message.order_id,
            )
            simulated.next_attempt_at = utcnow() + dt.timedelta(
                seconds=settings.payment_simulator_delay_seconds
            )
    elif message.destination == "SIMULATOR" and message.topic == "payment_confirmation":
        with contextlib.suppress(RefundNotOpen):  # cancelled meanwhile
            await payments.confirm_refund(
                session, int(payload["refundId"]), released=True, actor_label="payment simulator"
            )
    elif message.destination in {"PAYMENT", "WAREHOUSE"} and message.order_id is not None:
        kind = HistoryKind.PAYMENT if message.destination == "PAYMENT" else HistoryKind.WAREHOUSE
        to = "payment system" if message.destination == "PAYMENT" else "warehouse"
        add_history(
            session,
            message.order_id,
            kind,
            f"Sent to the {to}: {message.topic.replace('_', ' ')}.",
            actor_label=message.destination.lower(),
            details={"topic": message.topic, "deliveryId": message.id},
        )


async def _finish(
    db: Database, settings: Settings, message: OutboxMessage, note: str | None, error: str | None
) -> str:
    """Record the attempt's result, unless another worker took the message over meanwhile."""
    async with db.write() as session:
        guard = (
            OutboxMessage.id == message.id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts == message.attempts,
        )
        if error is None:
            result = await session.execute(
                update(OutboxMessage)
                .where(*guard)
                .values(status=OutboxStatus.DELIVERED, delivered_at=utcnow(), last_error=None)
            )
            outcome = "delivered"
            if rows_changed(result) == 1:
                await _after_delivery(session, settings, message, note or "")
        else:
            dead = message.attempts >= settings.outbox_max_attempts
            values: dict[str, object] = {"last_error": error[:2000]}
            if dead:
                values["status"] = OutboxStatus.DEAD
                outcome = "dead"
            else:
                values["next_attempt_at"] = utcnow() + backoff(settings, message.attempts)
                outcome = "retried"
            await session.execute(update(OutboxMessage).where(*guard).values(**values))
        await session.commit()
    return outcome


async def process(
    db: Database, settings: Settings, message: OutboxMessage, http: httpx.AsyncClient
) -> str:
    note = error = None
    try:
        note = await deliver(db, settings, message, http)
    except (channels.DeliveryFailed, emails.NoTemplate, OSError) as exc:
        error = str(exc)
        log.warning("outbox message %s (%s) failed: %s", message.id, message.topic, error)
    return await _finish(db, settings, message, note, error)


async def run_once(db: Database, settings: Settings, *, batch: int = 20) -> Report:
    """Deliver every message that is due now, then return; retries scheduled during the run
    wait for a later one."""
    report = Report()
    started = utcnow()
    if settings.warehouse_simulator:  # the demo's warehouse, in its own module
        await warehouse_simulator.step(db, delay_seconds=settings.warehouse_simulator_delay_seconds)
    async with httpx.AsyncClient(timeout=10.0) as http:
        while True:
            messages = await claim(db, settings, batch, due_by=started)
            if not messages:
                return report
            for message in messages:
                outcome = await process(db, settings, message, http)
                if outcome == "delivered":
                    report.delivered += 1
                elif outcome == "dead":
                    report.dead += 1
                else:
                    report.retried += 1


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
            if report.delivered or report.retried or report.dead:
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


async def retry(session: AsyncSession, message_id: int) -> OutboxMessage | None:
    """Make a DEAD (or PENDING) message due now, with its attempts reset."""
    message = await session.get(OutboxMessage, message_id)
    if message is None or message.status is OutboxStatus.DELIVERED:
        return message
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    return message
