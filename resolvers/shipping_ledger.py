"""The shipping refund ledger: what is left to refund of an order's shipping charge, drawn on
by shipping appeasements (order-level: no line) and never below zero, nor above the shipping
paid, whatever the concurrency.

The same compare-and-set as the line ledger (``resolvers.ledger``, whose docstring says why):
``UPDATE order SET shipping_refundable = :new WHERE id = :id AND shipping_refundable = :seen``,
``:new`` computed in Decimal. The shipping charge carries no tax of its own in csdesk (the
order's grand total is lines + their tax + shipping), so a shipping refund's tax is zero and
its gross is its net. The CHECKs (0 <= shipping_refundable <= shipping_amount) are the last
line of defence.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import rows_changed
from core.money import Money, quantize
from models import Order, Refund
from models.base import MONEY, utcnow
from models.enums import RefundKind, RefundStatus
from resolvers.errors import ShippingNotRefundable
from resolvers.ledger import MAX_ROUNDS, SAME


async def remaining(session: AsyncSession, order_id: int) -> Decimal:
    """The order's shipping charge still refundable, as committed now."""
    value = await session.scalar(
        select(Order.shipping_refundable)
        .where(Order.id == order_id)
        .execution_options(populate_existing=True)
    )
    return Decimal(value if value is not None else 0)


async def _compare_and_set(
    session: AsyncSession, order_id: int, seen: Decimal, new: Decimal
) -> bool:
    result = await session.execute(
        update(Order)
        .where(
            Order.id == order_id,
            func.abs(Order.shipping_refundable - literal(seen, MONEY)) < literal(SAME, Numeric()),
        )
        .values(shipping_refundable=new)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


def refused(order: Order, left: Decimal, field: list[str] | None) -> ShippingNotRefundable:
    most = Money.of(left, order.currency)
    return ShippingNotRefundable(
        f"At most {most} of the shipping charge of order {order.number} can still be refunded.",
        field=field,
        maximum_refundable=most,
    )


async def draw(
    session: AsyncSession,
    order: Order,
    net: Decimal,
    *,
    action_id: int | None,
    field: list[str] | None = None,
    status: RefundStatus = RefundStatus.REQUESTED,
) -> Refund:
    """Take ``net`` from the order's refundable shipping and record the refund (no line, no
    tax); ShippingNotRefundable when less is left."""
    currency = order.currency
    net = quantize(net, currency)
    for _round in range(MAX_ROUNDS):
        left = await remaining(session, order.id)
        if left < net:
            raise refused(order, left, field)
        if await _compare_and_set(session, order.id, left, left - net):
            break
    else:  # pragma: no cover - needs MAX_ROUNDS concurrent writers of one order
        raise RuntimeError(f"order {order.id}: the shipping ledger stayed contended; try again")
    zero = quantize(Decimal(0), currency)
    refund = Refund(
        order_id=order.id,
        line_id=None,
        action_id=action_id,
        kind=RefundKind.APPEASEMENT,
        status=status,
        net=net,
        tax=zero,
        gross=literal(net, MONEY) + literal(zero, MONEY),
        currency=currency,
    )
    session.add(refund)
    await session.flush()
    await session.refresh(refund)
    await session.refresh(order)
    return refund


async def give_back(session: AsyncSession, refund: Refund) -> None:
    """Cancel the shipping ``refund`` and return its net to the order's refundable shipping."""
    for _round in range(MAX_ROUNDS):
        left = await remaining(session, refund.order_id)
        if await _compare_and_set(session, refund.order_id, left, left + refund.net):
            break
    else:  # pragma: no cover - needs MAX_ROUNDS concurrent writers of one order
        raise RuntimeError(f"order {refund.order_id}: the shipping ledger stayed contended")
    refund.status = RefundStatus.CANCELLED
    refund.updated_at = utcnow()
    await session.flush()
