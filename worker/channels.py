"""One channel per destination: how a message is delivered, and what its delivery changes.

``channels_for`` maps every ``Destination`` to its channel; the worker never looks at the
destination itself. ``deliver`` runs outside any transaction and raises ``DeliveryFailed``
(or ``NoTemplate``, ``OSError``) for a retry; ``after_delivery`` runs inside the transaction
that marks the message DELIVERED, so both land or neither does.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.db import Database
from models import Line, Order, OutboxMessage, Store
from models.base import utcnow
from models.enums import Destination, HistoryKind
from resolvers import payments
from resolvers.errors import RefundNotOpen
from resolvers.journal import add_history, enqueue
from worker import emails, webhooks
from worker.delivery import DeliveryFailed, Receipt


class Channel(Protocol):
    async def deliver(self, message: OutboxMessage) -> Receipt:
        """Hand the message to its receiver; raise DeliveryFailed when it does not take it."""
        ...

    async def after_delivery(
        self, session: AsyncSession, message: OutboxMessage, receipt: Receipt
    ) -> None:
        """What the delivery changes (history, refunds), in the transaction recording it."""
        ...


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


@dataclass(frozen=True)
class EmailChannel:
    """Customer emails, rendered in the order's language; the history records each one."""

    db: Database
    settings: Settings

    async def deliver(self, message: OutboxMessage) -> Receipt:
        async with self.db.read() as session:
            context = await _order_context(session, message.order_id)
        if context is None:
            raise DeliveryFailed(f"order {message.order_id} of the email is gone")
        order, lines, store_name = context
        email = emails.render(message.topic, order, lines, message.payload, store_name)
        target = await emails.send_email(self.settings, email, message.id)
        return Receipt(target, recipient=email.recipient, subject=email.subject)

    async def after_delivery(
        self, session: AsyncSession, message: OutboxMessage, receipt: Receipt
    ) -> None:
        if message.order_id is None:
            return
        add_history(
            session,
            message.order_id,
            HistoryKind.CUSTOMER_EMAIL,
            f"Email sent to {receipt.recipient}: {receipt.subject}",
            actor_label="email",
            details={
                "recipient": receipt.recipient,
                "subject": receipt.subject,
                "topic": message.topic,
                "deliveryId": message.id,
            },
        )


@dataclass(frozen=True)
class WebhookChannel:
    """Signed JSON POSTs to ``url``, or files in the spool folder when it is unset; the
    order's history notes each message sent."""

    url: str | None
    settings: Settings
    http: httpx.AsyncClient
    kind: HistoryKind
    label: str  # the actor of the history entry
    receiver: str  # "the payment system", "the warehouse"

    async def deliver(self, message: OutboxMessage) -> Receipt:
        if self.url:
            await webhooks.post_webhook(self.http, self.url, self.settings.webhook_secret, message)
            return Receipt(self.url)
        path = await asyncio.to_thread(webhooks.spool, self.settings.spool_dir, message)
        return Receipt(str(path))

    async def after_delivery(
        self, session: AsyncSession, message: OutboxMessage, receipt: Receipt
    ) -> None:
        if message.order_id is None:
            return
        add_history(
            session,
            message.order_id,
            self.kind,
            f"Sent to {self.receiver}: {message.topic.replace('_', ' ')}.",
            actor_label=self.label,
            details={"topic": message.topic, "deliveryId": message.id},
        )


@dataclass(frozen=True)
class PaymentChannel(WebhookChannel):
    """A delivered credit note moves its refund to PENDING_RELEASE (the payment system has
    it), which writes its own history entry; with the demo's simulator on, it also queues the
    simulated confirmation."""

    async def after_delivery(
        self, session: AsyncSession, message: OutboxMessage, receipt: Receipt
    ) -> None:
        if message.topic != "credit_note":
            await super().after_delivery(session, message, receipt)
            return
        refund = await payments.mark_pending_release(session, int(message.payload["refundId"]))
        if refund is not None and self.settings.payment_simulator:
            simulated = enqueue(
                session,
                Destination.SIMULATOR,
                "payment_confirmation",
                {"refundId": refund.id},
                message.order_id,
            )
            simulated.next_attempt_at = utcnow() + dt.timedelta(
                seconds=self.settings.payment_simulator_delay_seconds
            )


@dataclass(frozen=True)
class SimulatorChannel:
    """The demo's payment system: "delivering" a confirmation releases the refund, through
    the same code as ``paymentRefundConfirmed``."""

    async def deliver(self, message: OutboxMessage) -> Receipt:
        return Receipt("simulator")

    async def after_delivery(
        self, session: AsyncSession, message: OutboxMessage, receipt: Receipt
    ) -> None:
        if message.topic != "payment_confirmation":
            return
        with contextlib.suppress(RefundNotOpen):  # cancelled meanwhile
            await payments.confirm_refund(
                session,
                int(message.payload["refundId"]),
                released=True,
                actor_label="payment simulator",
            )


def channels_for(
    db: Database, settings: Settings, http: httpx.AsyncClient
) -> Mapping[Destination, Channel]:
    """The channel of every destination."""
    return {
        Destination.EMAIL: EmailChannel(db, settings),
        Destination.PAYMENT: PaymentChannel(
            settings.payment_webhook_url,
            settings,
            http,
            HistoryKind.PAYMENT,
            "payment",
            "the payment system",
        ),
        Destination.WAREHOUSE: WebhookChannel(
            settings.warehouse_webhook_url,
            settings,
            http,
            HistoryKind.WAREHOUSE,
            "warehouse",
            "the warehouse",
        ),
        Destination.SIMULATOR: SimulatorChannel(),
    }
