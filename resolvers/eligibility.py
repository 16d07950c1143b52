"""Which lines each customer-service action accepts (domain.md), as plain predicates shared
by the mutations, which enforce them, and ``Order.availableActions``, which shows them, so
that the two can never disagree."""

from __future__ import annotations

from models import Line, Order
from models.enums import LineStatus, OrderStatus

SHIPPED_OR_DELIVERED = {LineStatus.SHIPPED, LineStatus.DELIVERED}


def appeasable(line: Line) -> bool:
    """Appeasement: any line not cancelled with refundable net left."""
    return line.status is not LineStatus.CANCELLED and line.refundable_net > 0


def returnable(line: Line) -> bool:
    """Return: DELIVERED lines (a line in an open return is RETURN_REQUESTED). Issue 13 narrows
    domain.md's "shipped or delivered" now that deliveries are reported: a parcel still in
    transit cannot be sent back yet (lost: reship it; refused: the carrier brings it back)."""
    return line.status is LineStatus.DELIVERED


def exchangeable(line: Line) -> bool:
    """Exchange: SHIPPED or DELIVERED, not returned, not in an open return, not exchanged."""
    return line.status in SHIPPED_OR_DELIVERED and not line.exchanged


def reshippable(line: Line) -> bool:
    """Reshipment: SHIPPED or DELIVERED lines (lost or damaged)."""
    return line.status in SHIPPED_OR_DELIVERED


def cancellable_order(order: Order) -> bool:
    """Cancellation happens here only while the order is in ORDER_REVIEW."""
    return order.status is OrderStatus.ORDER_REVIEW


def editable_order(order: Order) -> bool:
    """The shipping address and method can change only before the warehouse has the order."""
    return order.status is OrderStatus.ORDER_REVIEW


def cancellable(order: Order, line: Line) -> bool:
    """Cancellation: ORDERED lines of an ORDER_REVIEW order."""
    return cancellable_order(order) and line.status is LineStatus.ORDERED
