"""Fulfilment as the warehouse reports it: an order released, lines shipped in a parcel with
tracking, lines delivered. Normal, exchange and reshipment orders alike.

- Released: ORDER_REVIEW → RELEASED (from then on the order can no longer be cancelled or
  its address changed here).
- Shipped: ORDERED lines of a released order → SHIPPED, in one parcel (a ``Shipment``:
  carrier, tracking number and link; lines reported with the same carrier and tracking
  number join the same parcel). The order becomes SHIPPED when no open line is left ORDERED.
- Delivered: SHIPPED lines → DELIVERED; the parcel is delivered once all its lines are. The
  order becomes DELIVERED when none of its open lines is ORDERED or SHIPPED (cancelled lines
  do not count; lines in or after a return count as delivered). A line whose return was
  opened while in transit (an exchange) keeps its return and is recorded delivered.

An event the order is not ready for (a shipment before the release, a delivery before the
shipment, a line shipped twice) is refused with a typed error (OrderStatusInvalid,
LineNotEligible), changes nothing, and is recorded in the order's history
(``resolvers.warehouse_events``), so agents see what the warehouse tried.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Line, Order, Shipment
from models.base import utcnow
from models.enums import ActorKind, HistoryKind, LineStatus, OrderStatus
from resolvers.actions.common import line_numbers
from resolvers.errors import (
    LineNotEligible,
    NotFound,
    OrderStatusInvalid,
    ValidationFailed,
)
from resolvers.idempotency import Outcome
from resolvers.journal import add_history
from resolvers.parcels import check_instant, check_parcel

NUMBER = ["input", "orderNumber"]
LINES = ["input", "lineNumbers"]
# Lines that count as delivered for the order's status.
DELIVERED_OR_AFTER = {LineStatus.DELIVERED, LineStatus.RETURN_REQUESTED, LineStatus.RETURNED}
LABEL = {
    OrderStatus.ORDER_REVIEW: "Order review",
    OrderStatus.RELEASED: "Released",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.DELIVERED: "Delivered",
    OrderStatus.CANCELLED: "Cancelled",
}


@dataclass(frozen=True)
class Reporter:
    """Who reports a warehouse event: an integration user (API token), or, without a login,
    an integration named by ``label`` (the demo's warehouse simulator). The history's actor
    is INTEGRATION either way."""

    viewer: Viewer | None = None
    label: str = "warehouse"

    def sees(self, store_id: int) -> bool:
        return self.viewer is None or self.viewer.sees_store(store_id)

    def actor(self) -> dict[str, Any]:
        """The actor arguments of ``add_history``."""
        if self.viewer is not None:
            return {"viewer": self.viewer}
        return {"actor_label": self.label, "actor_kind": ActorKind.INTEGRATION}


async def find_order(session: AsyncSession, reporter: Reporter, number: str) -> Order | None:
    """The order with this public number, if the reporter sees its store."""
    order = await session.scalar(select(Order).where(Order.number == number.strip().upper()))
    return order if order is not None and reporter.sees(order.store_id) else None


async def _locked(session: AsyncSession, reporter: Reporter, number: str) -> Order:
    """The order, its version bumped (which locks it, as agents' actions do)."""
    order = await find_order(session, reporter, number)
    if order is None:
        raise NotFound(f"No order {number.strip()!r}.", field=NUMBER)
    await session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(version=Order.version + 1, updated_at=utcnow())
    )
    await session.refresh(order)
    return order


async def _lines(session: AsyncSession, order: Order, numbers: Sequence[int]) -> list[Line]:
    """The order's lines with these numbers, in number order (read afresh: the order is
    locked); ValidationFailed for none or repeats, NotFound for a number it does not have."""
    if not numbers:
        raise ValidationFailed("lineNumbers must list at least one line.", field=LINES)
    if len(set(numbers)) != len(numbers):
        raise ValidationFailed("A line number is listed twice.", field=LINES)
    rows = await session.scalars(
        select(Line)
        .where(Line.order_id == order.id)
        .order_by(Line.number)
        .execution_options(populate_existing=True)
    )
    by_number = {line.number: line for line in rows}
    missing = sorted(set(numbers) - set(by_number))
    if missing:
        raise NotFound(
            f"Order {order.number} has no line {', '.join(map(str, missing))}.", field=LINES
        )
    return [by_number[n] for n in sorted(numbers)]


def _require_released(order: Order, event: str) -> None:
    if order.status in (OrderStatus.ORDER_REVIEW, OrderStatus.CANCELLED):
        why = "is not released yet" if order.status is OrderStatus.ORDER_REVIEW else "is cancelled"
        raise OrderStatusInvalid(
            f"Order {order.number} {why} ({order.status.value}): {event} refused.",
            field=NUMBER,
            status=order.status.value,
        )


async def _derive_status(
    session: AsyncSession, reporter: Reporter, order: Order, event_id: str
) -> None:
    """The order's status from its lines after a shipment or delivery, with history."""
    lines = list(await session.scalars(select(Line).where(Line.order_id == order.id)))
    open_ = [line for line in lines if line.status is not LineStatus.CANCELLED]
    if open_ and all(line.status in DELIVERED_OR_AFTER for line in open_):
        status = OrderStatus.DELIVERED
    elif open_ and all(line.status is not LineStatus.ORDERED for line in open_):
        status = OrderStatus.SHIPPED
    else:
        return
    if status is order.status:
        return
    before = order.status
    order.status = status
    add_history(
        session,
        order.id,
        HistoryKind.STATUS_CHANGED,
        f"Status: {LABEL[before]} → {LABEL[status]}",
        **reporter.actor(),
        details={"from": before.value, "to": status.value, "eventId": event_id},
    )


async def release_order(
    session: AsyncSession, reporter: Reporter, *, event_id: str, order_number: str
) -> Outcome:
    """The warehouse took the order for fulfilment: ORDER_REVIEW → RELEASED."""
    order = await _locked(session, reporter, order_number)
    if order.status is not OrderStatus.ORDER_REVIEW:
        raise OrderStatusInvalid(
            f"Order {order.number} is {order.status.value}: only an order in ORDER_REVIEW can "
            "be released.",
            field=NUMBER,
            status=order.status.value,
        )
    order.status = OrderStatus.RELEASED
    add_history(
        session,
        order.id,
        HistoryKind.STATUS_CHANGED,
        f"Status: {LABEL[OrderStatus.ORDER_REVIEW]} → {LABEL[OrderStatus.RELEASED]} "
        "(released by the warehouse for fulfilment)",
        **reporter.actor(),
        details={"from": "ORDER_REVIEW", "to": "RELEASED", "eventId": event_id},
    )
    return Outcome(order_id=order.id)


async def ship_lines(
    session: AsyncSession,
    reporter: Reporter,
    *,
    event_id: str,
    order_number: str,
    numbers: Sequence[int],
    carrier: str,
    tracking_number: str,
    tracking_url: str | None,
    shipped_at: dt.datetime,
) -> tuple[Outcome, int]:
    """ORDERED lines left in a parcel: SHIPPED, with the parcel's tracking; the outcome and
    the shipment's id."""
    order = await _locked(session, reporter, order_number)
    _require_released(order, "the shipment")
    parcel = check_parcel(carrier, tracking_number, tracking_url, shipped_at, order)
    lines = await _lines(session, order, numbers)
    for line in lines:
        if line.status is not LineStatus.ORDERED:
            raise LineNotEligible(
                f"Line {line.number} is {line.status.value}: only ORDERED lines can be shipped.",
                field=LINES,
                line_id=line.id,
                status=line.status.value,
            )
    shipment = await session.scalar(
        select(Shipment).where(
            Shipment.order_id == order.id,
            Shipment.carrier == parcel.carrier,
            Shipment.tracking_number == parcel.tracking_number,
        )
    )
    if shipment is None:
        shipment = Shipment(
            order_id=order.id,
            carrier=parcel.carrier,
            tracking_number=parcel.tracking_number,
            tracking_url=parcel.tracking_url,
            shipped_at=parcel.shipped_at,
            created_at=utcnow(),
        )
        session.add(shipment)
        await session.flush()
    for line in lines:
        line.status = LineStatus.SHIPPED
        line.shipment_id = shipment.id
    tracking = {
        "carrier": parcel.carrier,
        "trackingNumber": parcel.tracking_number,
        "trackingUrl": parcel.tracking_url,
    }
    add_history(
        session,
        order.id,
        HistoryKind.WAREHOUSE,
        f"Line(s) {line_numbers(lines)} shipped with {parcel.carrier}, tracking "
        f"{parcel.tracking_number}",
        **reporter.actor(),
        details={
            "lines": [line.number for line in lines],
            "tracking": tracking,
            "shipmentId": shipment.id,
            "shippedAt": parcel.shipped_at.isoformat(),
            "eventId": event_id,
        },
    )
    await session.flush()
    await _derive_status(session, reporter, order, event_id)
    return Outcome(order_id=order.id), shipment.id


async def deliver_lines(
    session: AsyncSession,
    reporter: Reporter,
    *,
    event_id: str,
    order_number: str,
    numbers: Sequence[int],
    delivered_at: dt.datetime,
) -> Outcome:
    """SHIPPED lines handed to the customer: DELIVERED; parcels complete are delivered."""
    order = await _locked(session, reporter, order_number)
    _require_released(order, "the delivery")
    when = check_instant(delivered_at, order, ["input", "deliveredAt"])
    lines = await _lines(session, order, numbers)
    for line in lines:
        in_transit_return = (
            line.status is LineStatus.RETURN_REQUESTED
            and line.status_before_return is LineStatus.SHIPPED
        )
        if line.status is not LineStatus.SHIPPED and not in_transit_return:
            raise LineNotEligible(
                f"Line {line.number} is {line.status.value}: only SHIPPED lines can be delivered.",
                field=LINES,
                line_id=line.id,
                status=line.status.value,
            )
    shipment_ids = {line.shipment_id for line in lines if line.shipment_id is not None}
    shipped = await session.scalars(select(Shipment).where(Shipment.id.in_(shipment_ids)))
    for parcel in shipped:
        if when < parcel.shipped_at:
            raise ValidationFailed(
                f"deliveredAt is before the parcel {parcel.tracking_number} was shipped.",
                field=["input", "deliveredAt"],
            )
    for line in lines:
        line.delivered_at = when
        if line.status is LineStatus.SHIPPED:
            line.status = LineStatus.DELIVERED
        else:  # in an open return since it was in transit: it goes back to DELIVERED
            line.status_before_return = LineStatus.DELIVERED
    await session.flush()
    for shipment_id in sorted(shipment_ids):
        await _close_parcel(session, shipment_id)
    add_history(
        session,
        order.id,
        HistoryKind.WAREHOUSE,
        f"Line(s) {line_numbers(lines)} delivered on {when:%Y-%m-%d %H:%M} UTC",
        **reporter.actor(),
        details={
            "lines": [line.number for line in lines],
            "deliveredAt": when.isoformat(),
            "eventId": event_id,
        },
    )
    await _derive_status(session, reporter, order, event_id)
    return Outcome(order_id=order.id)


async def _close_parcel(session: AsyncSession, shipment_id: int) -> None:
    """A parcel is delivered when all its lines are: at the last line's delivery."""
    times = list(
        await session.scalars(select(Line.delivered_at).where(Line.shipment_id == shipment_id))
    )
    if times and all(t is not None for t in times):
        await session.execute(
            update(Shipment)
            .where(Shipment.id == shipment_id)
            .values(delivered_at=max(t for t in times if t is not None))
        )
