"""Fulfilment at the GraphQL edge: ``Order.shipments`` and the warehouse's events
(``warehouseOrderReleased``, ``warehouseLinesShipped``, ``warehouseLinesDelivered``), each
idempotent on its ``eventId``. The rules are in ``resolvers.fulfilment``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Shipment as ShipmentRow
from resolvers import fulfilment, warehouse_events
from resolvers.errors import NotFound as Missing
from resolvers.orders import find_order
from schema.context import Info
from schema.errors import (
    EventIdReused,
    LineNotEligible,
    NotFound,
    OrderStatusInvalid,
    ValidationFailed,
)
from schema.order import Line, Order


@strawberry.type(description="One parcel the warehouse shipped, with its tracking.")
class Shipment:
    carrier: str
    tracking_number: str
    tracking_url: str | None = strawberry.field(description="The carrier's tracking page.")
    shipped_at: dt.datetime = strawberry.field(description="In the viewer's time zone.")
    delivered_at: dt.datetime | None = strawberry.field(
        description="When the last of its lines was delivered; null while any is in transit."
    )
    row: strawberry.Private[ShipmentRow]
    currency: strawberry.Private[str]

    @classmethod
    def of(cls, row: ShipmentRow, currency: str, info: Info) -> Shipment:
        local = info.context.local
        return cls(
            carrier=row.carrier,
            tracking_number=row.tracking_number,
            tracking_url=row.tracking_url,
            shipped_at=local(row.shipped_at),
            delivered_at=local(row.delivered_at) if row.delivered_at else None,
            row=row,
            currency=currency,
        )

    @strawberry.field(description="The lines in the parcel, in line-number order.")
    async def lines(self, info: Info) -> list[Line]:
        rows = await info.context.loaders.lines_by_order.load(self.row.order_id)
        return [Line.from_row(r, self.currency) for r in rows if r.shipment_id == self.row.id]


async def shipments_of_order(info: Info, order_id: int, currency: str) -> list[Shipment]:
    """The order's parcels: they come with its lines (one batched statement)."""
    await info.context.loaders.lines_by_order.load(order_id)
    rows = await info.context.loaders.shipments_by_order.load(order_id)
    return [Shipment.of(r, currency, info) for r in rows]


def _reporter(info: Info) -> fulfilment.Reporter:
    return fulfilment.Reporter(viewer=info.context.viewer_or_raise())


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def _order(info: Info, order_id: int) -> Order:
    async with info.context.read() as session:
        found = await find_order(session, info.context.viewer, order_id=order_id)
    if found is None:
        raise Missing("The order is no longer visible.", field=["input", "orderNumber"])
    return Order.loaded(found, info)


# --- warehouseOrderReleased -------------------------------------------------------------------


@strawberry.input
class WarehouseOrderReleasedInput:
    event_id: str = strawberry.field(description="Unique per event; repeats change nothing.")
    order_number: str


@strawberry.type
class WarehouseOrderReleasedSuccess:
    order: Order


async def warehouse_order_released(
    info: Info, input: WarehouseOrderReleasedInput
) -> Annotated[
    WarehouseOrderReleasedSuccess
    | NotFound
    | OrderStatusInvalid
    | EventIdReused
    | ValidationFailed,
    strawberry.union("WarehouseOrderReleasedResult"),
]:
    """The warehouse took the order for fulfilment: ORDER_REVIEW → RELEASED."""
    reporter = _reporter(info)

    async def handle(session: AsyncSession) -> dict[str, Any]:
        outcome = await fulfilment.release_order(
            session, reporter, event_id=input.event_id, order_number=input.order_number
        )
        return {"orderId": outcome.order_id}

    result = await warehouse_events.report(
        info.context.db,
        reporter,
        event_id=input.event_id,
        event="warehouseOrderReleased",
        order_number=input.order_number,
        request=warehouse_events.released_request(input.order_number),
        handle=handle,
    )
    return WarehouseOrderReleasedSuccess(order=await _order(info, result["orderId"]))


# --- warehouseLinesShipped --------------------------------------------------------------------


@strawberry.input
class WarehouseLinesShippedInput:
    event_id: str = strawberry.field(description="Unique per event; repeats change nothing.")
    order_number: str
    line_numbers: list[int] = strawberry.field(description="ORDERED lines in this parcel.")
    carrier: str = strawberry.field(description="1–64 characters, e.g. DHL.")
    tracking_number: str = strawberry.field(
        description="1–64 characters; lines sent with the same carrier and number are one parcel."
    )
    tracking_url: str | None = strawberry.field(
        default=None, description="The carrier's tracking page (http or https)."
    )
    shipped_at: dt.datetime = strawberry.field(description="With a UTC offset; UTC if none.")


@strawberry.type
class WarehouseLinesShippedSuccess:
    order: Order
    shipment: Shipment = strawberry.field(description="The parcel the lines left in.")


async def warehouse_lines_shipped(
    info: Info, input: WarehouseLinesShippedInput
) -> Annotated[
    WarehouseLinesShippedSuccess
    | NotFound
    | OrderStatusInvalid
    | LineNotEligible
    | EventIdReused
    | ValidationFailed,
    strawberry.union("WarehouseLinesShippedResult"),
]:
    """Lines left the warehouse in a parcel: SHIPPED, with tracking; the order is SHIPPED
    when no open line is left to ship."""
    reporter = _reporter(info)

    async def handle(session: AsyncSession) -> dict[str, Any]:
        outcome, shipment_id = await fulfilment.ship_lines(
            session,
            reporter,
            event_id=input.event_id,
            order_number=input.order_number,
            numbers=input.line_numbers,
            carrier=input.carrier,
            tracking_number=input.tracking_number,
            tracking_url=input.tracking_url,
            shipped_at=_utc(input.shipped_at),
        )
        return {"orderId": outcome.order_id, "shipmentId": shipment_id}

    request = warehouse_events.shipped_request(
        input.order_number,
        input.line_numbers,
        input.carrier,
        input.tracking_number,
        input.tracking_url,
        _utc(input.shipped_at),
    )
    result = await warehouse_events.report(
        info.context.db,
        reporter,
        event_id=input.event_id,
        event="warehouseLinesShipped",
        order_number=input.order_number,
        request=request,
        handle=handle,
    )
    order = await _order(info, result["orderId"])
    async with info.context.read() as session:
        row = await session.scalar(
            select(ShipmentRow).where(ShipmentRow.id == result["shipmentId"])
        )
    if row is None:
        raise Missing("The shipment is no longer visible.", field=["input", "orderNumber"])
    return WarehouseLinesShippedSuccess(
        order=order, shipment=Shipment.of(row, order.currency, info)
    )


# --- warehouseLinesDelivered ------------------------------------------------------------------


@strawberry.input
class WarehouseLinesDeliveredInput:
    event_id: str = strawberry.field(description="Unique per event; repeats change nothing.")
    order_number: str
    line_numbers: list[int] = strawberry.field(description="SHIPPED lines handed over.")
    delivered_at: dt.datetime = strawberry.field(description="With a UTC offset; UTC if none.")


@strawberry.type
class WarehouseLinesDeliveredSuccess:
    order: Order


async def warehouse_lines_delivered(
    info: Info, input: WarehouseLinesDeliveredInput
) -> Annotated[
    WarehouseLinesDeliveredSuccess
    | NotFound
    | OrderStatusInvalid
    | LineNotEligible
    | EventIdReused
    | ValidationFailed,
    strawberry.union("WarehouseLinesDeliveredResult"),
]:
    """The carrier delivered lines: DELIVERED; the order is DELIVERED when every open line
    is."""
    reporter = _reporter(info)

    async def handle(session: AsyncSession) -> dict[str, Any]:
        outcome = await fulfilment.deliver_lines(
            session,
            reporter,
            event_id=input.event_id,
            order_number=input.order_number,
            numbers=input.line_numbers,
            delivered_at=_utc(input.delivered_at),
        )
        return {"orderId": outcome.order_id}

    request = warehouse_events.delivered_request(
        input.order_number, input.line_numbers, _utc(input.delivered_at)
    )
    result = await warehouse_events.report(
        info.context.db,
        reporter,
        event_id=input.event_id,
        event="warehouseLinesDelivered",
        order_number=input.order_number,
        request=request,
        handle=handle,
    )
    return WarehouseLinesDeliveredSuccess(order=await _order(info, result["orderId"]))
