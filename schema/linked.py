"""Reaching an order linked to another (origin, exchange, reshipment) through the batch that
loads the links of the order, so that the detail page needs no extra statement."""

from __future__ import annotations

from models import Order as OrderRow
from schema.context import Info


async def linked_order(info: Info, order_id: int, linked_id: int) -> OrderRow | None:
    """Order ``linked_id`` as seen from order ``order_id`` (unscoped: callers check)."""
    loaders = info.context.loaders
    linked = await loaders.linked_orders.load(order_id)
    found = linked.find(linked_id)
    if found is not None:
        return found
    row: OrderRow | None = await loaders.order.load(linked_id)
    return row
