"""The warehouse's events as events: what each one's idempotency digest compares, handling an
event once per event id, and noting a refused one in the order's history. The rules of the
events themselves are in ``resolvers.fulfilment``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from models import HistoryEntry
from models.enums import HistoryKind
from resolvers.errors import DomainError, LineNotEligible, OrderStatusInvalid
from resolvers.fulfilment import Reporter, find_order
from resolvers.idempotency import handle_event
from resolvers.journal import add_history

REFUSED = (OrderStatusInvalid, LineNotEligible)


# What each event's idempotency digest compares (resolvers.idempotency): the API and the
# events command build them here, so that one event id means the same event through both.


def released_request(order_number: str) -> dict[str, Any]:
    return {"orderNumber": order_number}


def shipped_request(
    order_number: str,
    line_numbers: Sequence[int],
    carrier: str,
    tracking_number: str,
    tracking_url: str | None,
    shipped_at: dt.datetime,
) -> dict[str, Any]:
    return {
        "orderNumber": order_number,
        "lineNumbers": sorted(line_numbers),
        "carrier": carrier,
        "trackingNumber": tracking_number,
        "trackingUrl": tracking_url,
        "shippedAt": shipped_at.isoformat(),
    }


def delivered_request(
    order_number: str, line_numbers: Sequence[int], delivered_at: dt.datetime
) -> dict[str, Any]:
    return {
        "orderNumber": order_number,
        "lineNumbers": sorted(line_numbers),
        "deliveredAt": delivered_at.isoformat(),
    }


async def record_refusal(
    session: AsyncSession,
    reporter: Reporter,
    *,
    order_number: str,
    event_id: str,
    event: str,
    error: DomainError,
) -> None:
    """Note in the order's history that the warehouse's event was refused, and why (once per
    event id and reason: a retried event does not repeat the note)."""
    order = await find_order(session, reporter, order_number)
    if order is None:
        return
    message = f"Warehouse event {event_id} ({event}) refused: {error.message}"
    seen = await session.scalar(
        select(HistoryEntry.id).where(
            HistoryEntry.order_id == order.id,
            HistoryEntry.kind == HistoryKind.WAREHOUSE,
            HistoryEntry.message == message,
        )
    )
    if seen is not None:
        return
    add_history(
        session,
        order.id,
        HistoryKind.WAREHOUSE,
        message,
        **reporter.actor(),
        details={"eventId": event_id, "event": event, "refused": error.code},
    )


async def report(
    db: Database,
    reporter: Reporter,
    *,
    event_id: str,
    event: str,
    order_number: str,
    request: Mapping[str, Any],
    handle: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """A warehouse event handled once per event id (``resolvers.idempotency``); a refused
    one is recorded in the order's history after its own transaction rolled back."""
    try:
        return await handle_event(db, event_id, event, request, handle)
    except REFUSED as error:
        async with db.write() as session:
            await record_refusal(
                session,
                reporter,
                order_number=order_number,
                event_id=event_id,
                event=event,
                error=error,
            )
            await session.commit()
        raise
