"""The demo's warehouse (``CSDESK_WAREHOUSE_SIMULATOR``, set by ``make run``): it releases, ships
and delivers new orders by itself, one step every ``delay`` seconds (20 by default: about a
minute from review to delivery), through the same code as the warehouse's events
(``resolvers.fulfilment``), so the history reads as if a warehouse had reported.

It looks only at orders created in the last hour (those imported or made during the demo:
exchanges, reshipments; never the seeded history) that are in ORDER_REVIEW, RELEASED or
SHIPPED and have not changed for ``delay`` seconds, so that an agent who cancels or changes
the address of a new order in time still can (any change restarts the wait). The outbox
worker calls ``step`` on each run. Leave it off anywhere a real warehouse is connected.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from models import Line, Order
from models.base import utcnow
from models.enums import LineStatus, OrderStatus
from resolvers import fulfilment
from resolvers.errors import DomainError

log = logging.getLogger("csdesk.warehouse_simulator")

REPORTER = fulfilment.Reporter(label="warehouse simulator")
RECENT = dt.timedelta(hours=1)
BATCH = 50
CARRIERS = {"GB": "Royal Mail", "DE": "DHL", "US": "UPS", "FR": "Colissimo"}
MOVING = (OrderStatus.ORDER_REVIEW, OrderStatus.RELEASED, OrderStatus.SHIPPED)


async def _advance(session: AsyncSession, order: Order, now: dt.datetime) -> None:
    """One step of ``order``: release it, ship its ORDERED lines, or deliver its SHIPPED ones."""
    event = f"simulated-{order.number}-{order.status.value.lower()}"
    if order.status is OrderStatus.ORDER_REVIEW:
        await fulfilment.release_order(session, REPORTER, event_id=event, order_number=order.number)
        return
    lines = list(await session.scalars(select(Line).where(Line.order_id == order.id)))
    if order.status is OrderStatus.RELEASED:
        numbers = [line.number for line in lines if line.status is LineStatus.ORDERED]
        tracking = f"SIM{order.id:09d}"
        await fulfilment.ship_lines(
            session,
            REPORTER,
            event_id=event,
            order_number=order.number,
            numbers=numbers,
            carrier=CARRIERS.get(order.shipping_country, "DHL"),
            tracking_number=tracking,
            tracking_url=f"https://track.example/{tracking}",
            shipped_at=now,
        )
        return
    numbers = [line.number for line in lines if line.status is LineStatus.SHIPPED]
    await fulfilment.deliver_lines(
        session, REPORTER, event_id=event, order_number=order.number, numbers=numbers,
        delivered_at=now,
    )  # fmt: skip


async def step(db: Database, *, delay_seconds: float, now: dt.datetime | None = None) -> int:
    """Move every new order that waited ``delay_seconds`` one step; how many moved."""
    now = now or utcnow()
    async with db.read() as session:
        due = list(
            await session.scalars(
                select(Order.id)
                .where(
                    Order.created_at >= now - RECENT,
                    Order.status.in_(MOVING),
                    Order.updated_at <= now - dt.timedelta(seconds=delay_seconds),
                )
                .order_by(Order.id)
                .limit(BATCH)
            )
        )
    moved = 0
    for order_id in due:
        try:
            async with db.write() as session:
                order = await session.get(Order, order_id)
                # Changed since it was picked (an agent, another worker): next time.
                if order is None or order.status not in MOVING:
                    continue
                await _advance(session, order, now)
                await session.commit()
                moved += 1
        except DomainError as exc:  # e.g. every line cancelled meanwhile
            log.info("warehouse simulator left order %s as it is: %s", order_id, exc.message)
    return moved
