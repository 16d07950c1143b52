"""Mutations for machine clients (INTEGRATION): the payment system confirms refunds, the
warehouse reports returned items, the storefront sends orders. Each is idempotent on its
``eventId``: a repeated event changes nothing and gets the same answer."""

from __future__ import annotations

import datetime as dt
import enum
import json
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from models import PostsalesAction as ActionRow
from models import Refund as RefundRow
from models.enums import Disposition
from resolvers import payments, warehouse
from resolvers.errors import NotFound as Missing
from resolvers.errors import ValidationFailed as Invalid
from resolvers.idempotency import handle_event
from resolvers.intake import import_order
from resolvers.orders import find_order
from schema.context import Info
from schema.errors import (
    AmountExceedsRefundable,
    EventIdReused,
    IllegalTransition,
    IntakeRejected,
    LineNotEligible,
    NotFound,
    RefundNotOpen,
    ValidationFailed,
)
from schema.order import Order
from schema.postsales import PostsalesAction
from schema.refunds import Refund


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# --- paymentRefundConfirmed ---------------------------------------------------------------


@strawberry.enum
class PaymentOutcome(enum.Enum):
    RELEASED = "RELEASED"
    FAILED = "FAILED"


@strawberry.input
class PaymentRefundConfirmedInput:
    event_id: str = strawberry.field(description="Unique per event; repeats change nothing.")
    refund_id: int = strawberry.field(description="The refundId of the credit note.")
    outcome: PaymentOutcome
    reason: str | None = strawberry.field(default=None, description="Why it failed.")


@strawberry.type
class PaymentRefundConfirmedSuccess:
    refund: Refund
    order: Order


PaymentRefundConfirmedResult = Annotated[
    PaymentRefundConfirmedSuccess | NotFound | RefundNotOpen | EventIdReused | ValidationFailed,
    strawberry.union("PaymentRefundConfirmedResult"),
]


async def payment_refund_confirmed(
    info: Info, input: PaymentRefundConfirmedInput
) -> PaymentRefundConfirmedResult:
    """The payment system released a refund (or could not)."""

    async def handle(session: AsyncSession) -> dict[str, Any]:
        refund = await payments.confirm_refund(
            session,
            input.refund_id,
            released=input.outcome is PaymentOutcome.RELEASED,
            reason=input.reason,
            actor_label=info.context.viewer.username if info.context.viewer else "payment",
        )
        return {"refundId": refund.id, "orderId": refund.order_id}

    request = {"refundId": input.refund_id, "outcome": input.outcome.value, "reason": input.reason}
    db = info.context.db
    result = await handle_event(db, input.event_id, "paymentRefundConfirmed", request, handle)
    async with info.context.read() as session:
        refund = await session.scalar(select(RefundRow).where(RefundRow.id == result["refundId"]))
        found = await find_order(session, info.context.viewer, order_id=result["orderId"])
    if refund is None or found is None:
        raise Missing("The refund is no longer visible.", field=["input", "refundId"])
    return PaymentRefundConfirmedSuccess(
        refund=Refund.of(refund, info), order=Order.loaded(found, info)
    )


# --- warehouseReturnReceived ----------------------------------------------------------------


@strawberry.input(description="What the warehouse did with one received line.")
class LineDispositionInput:
    line_number: int
    disposition: Disposition = strawberry.field(
        description="RESTOCK: one unit back into the order's store's stock; DAMAGED: none."
    )


@strawberry.input
class WarehouseReturnReceivedInput:
    event_id: str
    order_number: str
    line_numbers: list[int]
    source: str = strawberry.field(description="Code of the source that received the items.")
    received_at: dt.datetime
    dispositions: list[LineDispositionInput] | None = strawberry.field(
        default=None,
        description="Per received line, what the warehouse did with it; a line left out has "
        "no disposition (nothing is restocked).",
    )


@strawberry.type
class WarehouseReturnReceivedSuccess:
    order: Order
    action: PostsalesAction | None


async def _order_and_action(
    info: Info, order_id: int, action_id: int | None
) -> tuple[Order, PostsalesAction | None]:
    async with info.context.read() as session:
        found = await find_order(session, info.context.viewer, order_id=order_id)
        row = (
            await session.scalar(select(ActionRow).where(ActionRow.id == action_id))
            if action_id
            else None
        )
    if found is None:
        raise Missing("The order is no longer visible.", field=["input", "orderNumber"])
    return Order.loaded(found, info), PostsalesAction.from_row(row, info) if row else None


async def warehouse_return_received(
    info: Info, input: WarehouseReturnReceivedInput
) -> Annotated[
    WarehouseReturnReceivedSuccess
    | NotFound
    | IllegalTransition
    | LineNotEligible
    | AmountExceedsRefundable
    | EventIdReused
    | ValidationFailed,
    strawberry.union("WarehouseReturnReceivedResult"),
]:
    """The warehouse received returned items: their return is approved and, unless it is
    the no-refund return of an exchange, the refund request is queued."""
    viewer = info.context.viewer_or_raise()
    given = input.dispositions or []
    dispositions = {d.line_number: d.disposition for d in given}
    if len(dispositions) != len(given):
        raise Invalid("dispositions name a line twice.", field=["input", "dispositions"])

    async def handle(session: AsyncSession) -> dict[str, Any]:
        outcome = await warehouse.return_received(
            session,
            viewer,
            order_number=input.order_number,
            line_numbers=input.line_numbers,
            source_code=input.source,
            received_at=_aware(input.received_at),
            dispositions=dispositions,
        )
        return {"orderId": outcome.order_id, "actionId": outcome.action_id}

    request = warehouse.received_request(
        input.order_number,
        input.line_numbers,
        input.source,
        _aware(input.received_at),
        dispositions,
    )
    db = info.context.db
    result = await handle_event(db, input.event_id, "warehouseReturnReceived", request, handle)
    order, action = await _order_and_action(info, result["orderId"], result.get("actionId"))
    return WarehouseReturnReceivedSuccess(order=order, action=action)


# --- orderImport ---------------------------------------------------------------------------


@strawberry.enum
class ImportOutcome(enum.Enum):
    IMPORTED = "IMPORTED"
    SKIPPED = "SKIPPED"


@strawberry.input
class OrderImportInput:
    event_id: str
    order: JSON = strawberry.field(
        description="One order as the storefront sends it (docs/import-format.md)."
    )


@strawberry.type
class OrderImportSuccess:
    outcome: ImportOutcome = strawberry.field(
        description="SKIPPED: the client reference was imported before (as `order`)."
    )
    order: Order | None


async def order_import(
    info: Info, input: OrderImportInput
) -> Annotated[
    OrderImportSuccess | IntakeRejected | EventIdReused | ValidationFailed,
    strawberry.union("OrderImportResult"),
]:
    """A new order from the storefront: validated and de-duplicated on its client reference
    exactly like `csdesk import orders`."""
    record = input.order
    if not isinstance(record, dict):
        raise Invalid("order must be a JSON object.", field=["input", "order"])
    # Amounts as Decimal, never float, as in the file import.
    record = json.loads(json.dumps(record), parse_float=Decimal)

    async def handle(session: AsyncSession) -> dict[str, Any]:
        result = await import_order(session, record)
        return {"outcome": result.outcome.value, "number": result.order_number}

    result = await handle_event(info.context.db, input.event_id, "orderImport", record, handle)
    order = None
    if result.get("number"):
        async with info.context.read() as session:
            found = await find_order(session, info.context.viewer, number=result["number"])
        order = Order.loaded(found, info) if found else None
    return OrderImportSuccess(outcome=ImportOutcome(result["outcome"]), order=order)
