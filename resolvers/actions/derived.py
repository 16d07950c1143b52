"""What exchanges and reshipments share: lines from requests, stock reservation, and the new
order itself (``<number>-E<n>`` / ``<number>-R<n>``, no payment, linked both ways)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.money import quantize
from models import Line, Order, Sku
from models.base import utcnow
from models.enums import HistoryKind, LineStatus, OrderStatus, OrderType
from resolvers import stock
from resolvers.errors import LineNotEligible, NotFound, OutOfStock, ValidationFailed
from resolvers.journal import add_history, enqueue
from resolvers.order_fields import line_amounts, order_totals, search_keys

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
# What is copied from the origin order to an exchange or reshipment order.
COPIED = (
    "store_id",
    "language",
    "vat_country",
    "currency",
    "customer_id",
    "customer_type",
    "customer_name",
    "customer_email",
    "customer_phone",
    "shipping_method",
    *(f"shipping_{f}" for f in ADDRESS_FIELDS),
    *(f"billing_{f}" for f in ADDRESS_FIELDS),
)
LABEL = {OrderType.EXCHANGE: "Exchange", OrderType.RESHIPMENT: "Reshipment"}
SUFFIX = {OrderType.EXCHANGE: "E", OrderType.RESHIPMENT: "R"}


@dataclass(frozen=True)
class NewLine:
    """One line of the new order: the origin line it replaces and the SKU it ships."""

    origin: Line
    sku: Sku
    # Input path of the request item, for errors (e.g. ["input", "lines", "0", "skuCode"]).
    field: list[str]


def distinct_lines(ids: Sequence[int], field: list[str]) -> list[int]:
    """The selected line ids: at least one, no repeats."""
    if not ids:
        raise ValidationFailed("Select at least one line.", field=field)
    if len(set(ids)) != len(ids):
        raise ValidationFailed("A line is selected twice.", field=field)
    return list(ids)


async def order_lines(
    session: AsyncSession, order: Order, ids: Sequence[int], fields: Sequence[list[str]]
) -> list[Line]:
    """The order's lines with these ids, in the given order; NotFound (at the matching input
    field) for a line of another order or none."""
    rows = await session.scalars(select(Line).where(Line.order_id == order.id))
    by_id = {line.id: line for line in rows}
    found = []
    for line_id, field in zip(ids, fields, strict=True):
        line = by_id.get(line_id)
        if line is None:
            raise NotFound(f"Order {order.number} has no such line.", field=field)
        found.append(line)
    return found


def not_eligible(line: Line, field: list[str], why: str) -> LineNotEligible:
    return LineNotEligible(
        f"Line {line.number} ({line.status.value}) {why}.",
        field=field,
        line_id=line.id,
        status=line.status.value,
    )


async def reserve_all(session: AsyncSession, order: Order, new_lines: Sequence[NewLine]) -> None:
    """One unit per new line in the order's store; OutOfStock (and nothing kept: the caller's
    transaction rolls back) when a SKU has no unit left. Taken in SKU id order, so that two
    transactions reserving the same SKUs never wait on each other in a cycle."""
    for new in sorted(new_lines, key=lambda n: (n.sku.id, n.origin.number)):
        if not await stock.reserve(session, order.store_id, new.sku.id):
            raise OutOfStock(
                f"{new.sku.code} is out of stock in this store.",
                field=new.field,
                sku_code=new.sku.code,
                line_id=new.origin.id,
            )


async def create_order(
    session: AsyncSession,
    viewer: Viewer,
    origin: Order,
    order_type: OrderType,
    new_lines: Sequence[NewLine],
    *,
    overrides: Mapping[str, Any] | None = None,
) -> Order:
    """The exchange or reshipment order of ``origin``: numbered from the origin's counter
    (the caller holds the origin's lock), status ORDER_REVIEW, lines ORDERED at the origin
    lines' prices, nothing to pay; with its ORDER_PLACED history entry linking back."""
    label = LABEL[order_type]
    if order_type is OrderType.EXCHANGE:
        origin.exchange_count += 1
        n = origin.exchange_count
    else:
        origin.reshipment_count += 1
        n = origin.reshipment_count
    now = utcnow()
    values: dict[str, Any] = {name: getattr(origin, name) for name in COPIED}
    values.update(overrides or {})
    values.update(
        number=f"{origin.number}-{SUFFIX[order_type]}{n}",
        number_seq=origin.number_seq,
        client_reference=None,
        purchased_at=now,
        order_type=order_type,
        origin_order_id=origin.id,
        status=OrderStatus.ORDER_REVIEW,
        payment_method=f"{label} – no payment",
    )
    currency = origin.currency
    amounts = [
        line_amounts(n.origin.original_price, n.origin.discount, n.origin.tax_rate, currency)
        for n in new_lines
    ]
    # No payment was taken for these lines, so nothing on them can be refunded: their
    # remaining refundable net starts at zero (the original lines carry the money).
    for a in amounts:
        a["refundable_net"] = quantize(Decimal(0), currency)
    totals = order_totals(amounts, Decimal(0), currency)
    order = Order(
        **values,
        **totals,
        amount_due=quantize(Decimal(0), currency),
        **search_keys(values),
        exchange_count=0,
        reshipment_count=0,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    await session.flush()
    for number, (new, a) in enumerate(zip(new_lines, amounts, strict=True), start=1):
        session.add(
            Line(
                order_id=order.id,
                number=number,
                sku_id=new.sku.id,
                sku_code=new.sku.code,
                product_name=new.sku.name,
                image_url=new.sku.image_url,
                tax_rate=new.origin.tax_rate,
                status=LineStatus.ORDERED,
                source_id=new.origin.source_id,
                exchanged=False,
                **a,
            )
        )
    add_history(
        session,
        order.id,
        HistoryKind.ORDER_PLACED,
        f"{label} order created from order {origin.number} by {viewer.display_name}",
        viewer=viewer,
        details={"originOrder": origin.number},
        related_order_id=origin.id,
    )
    await session.flush()
    return order


def address_payload(order: Order) -> dict[str, Any]:
    return {f: getattr(order, f"shipping_{f}") for f in ADDRESS_FIELDS}


def announce(
    session: AsyncSession, order: Order, origin: Order, new_lines: Sequence[NewLine]
) -> None:
    """The warehouse order and the customer email of a new exchange or reshipment order."""
    label = LABEL[order.order_type].lower()
    enqueue(
        session,
        "WAREHOUSE",
        f"{label}_order",
        {
            "order": order.number,
            "originOrder": origin.number,
            "lines": [
                {"number": i, "sku": n.sku.code, "productName": n.sku.name}
                for i, n in enumerate(new_lines, start=1)
            ],
            "shippingAddress": address_payload(order),
            "shippingMethod": order.shipping_method,
        },
        order_id=order.id,
    )
    enqueue(
        session,
        "EMAIL",
        f"{label}_created",
        {
            "to": order.customer_email,
            "language": order.language,
            "order": order.number,
            "originOrder": origin.number,
        },
        order_id=order.id,
    )


def numbers_text(lines: Sequence[Line]) -> str:
    """ "line 1", "lines 1 and 3", "lines 1, 2 and 4"."""
    nums = [str(line.number) for line in sorted(lines, key=lambda x: x.number)]
    if len(nums) == 1:
        return f"line {nums[0]}"
    return f"lines {', '.join(nums[:-1])} and {nums[-1]}"
