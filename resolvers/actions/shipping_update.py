"""Changing where and how an order ships, while it is still in ORDER_REVIEW (afterwards the
warehouse has it): the shipping address (required fields present, not validated against a
carrier, exactly as a reshipment's) and/or the shipping method. The order's search keys
follow the new address; the history records each field old → new; the warehouse is told.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Order
from models.enums import Destination, HistoryKind, OrderStatus
from resolvers.actions.common import lock_order
from resolvers.actions.derived import address_payload
from resolvers.actions.reshipment import AddressRequest, check_address, check_method
from resolvers.errors import OrderStatusInvalid, ValidationFailed
from resolvers.idempotency import Outcome
from resolvers.journal import add_history, enqueue
from resolvers.order_fields import search_keys

ORDER = ["input", "orderId"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


async def update_shipping(
    session: AsyncSession,
    viewer: Viewer,
    *,
    order_id: int,
    shipping_method: str | None = None,
    shipping_address: AddressRequest | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Change the order's shipping address and/or method (ORDER_REVIEW only)."""
    if shipping_method is None and shipping_address is None:
        raise ValidationFailed("Give a shippingAddress, a shippingMethod or both.", field=["input"])
    wanted: dict[str, Any] = {}
    method = check_method(shipping_method)
    if method is not None:
        wanted["shipping_method"] = method
    if shipping_address is not None:
        wanted.update(check_address(shipping_address))
    order = await lock_order(session, viewer, order_id, expected_version, ORDER)
    if order.status is not OrderStatus.ORDER_REVIEW:
        raise OrderStatusInvalid(
            f"Order {order.number} is {order.status.value}: the shipping address and method "
            "can be changed only in ORDER_REVIEW; later, ask the warehouse.",
            field=ORDER,
            status=order.status.value,
        )
    changes = [
        {"field": _field_name(column), "old": getattr(order, column), "new": value}
        for column, value in wanted.items()
        if getattr(order, column) != value
    ]
    if not changes:
        raise ValidationFailed(
            "The order already ships to this address by this method: nothing to change.",
            field=["input"],
        )
    for column, value in wanted.items():
        setattr(order, column, value)
    columns = {c.key: getattr(order, c.key) for c in Order.__table__.columns}
    for key, value in search_keys(columns).items():
        setattr(order, key, value)
    add_history(
        session,
        order.id,
        HistoryKind.ORDER_CHANGED,
        "Shipping changed by "
        + viewer.display_name
        + ": "
        + "; ".join(f"{c['field']} {c['old'] or '—'} → {c['new'] or '—'}" for c in changes),
        viewer=viewer,
        details={"changes": changes},
    )
    enqueue(
        session,
        Destination.WAREHOUSE,
        "shipping_updated",
        {
            "order": order.number,
            "shippingAddress": address_payload(order),
            "shippingMethod": order.shipping_method,
            "changes": changes,
        },
        order_id=order.id,
    )
    await session.flush()
    return Outcome(order_id=order.id)


ADDRESS_FIELDS = {f"shipping_{f.name}": f.name for f in fields(AddressRequest)}


def _field_name(column: str) -> str:
    """ "shipping_postal_code" → "shippingAddress.postalCode"; "shipping_method" as such."""
    if column in ADDRESS_FIELDS:
        return f"shippingAddress.{_camel(ADDRESS_FIELDS[column])}"
    return _camel(column)
