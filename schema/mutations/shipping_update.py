"""``orderShippingUpdate`` (rules in resolvers.actions.shipping_update)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.reshipment import AddressRequest
from resolvers.actions.shipping_update import update_shipping
from schema import ids
from schema.context import Info
from schema.errors import (
    IdempotencyKeyReused,
    NotFound,
    OrderStatusInvalid,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import OrderChanged, OrderChangeInput, change_order
from schema.mutations.reshipment import AddressInput


@strawberry.input(description="A new shipping address and/or method for an order in review.")
class OrderShippingUpdateInput(OrderChangeInput):
    order_id: strawberry.ID
    shipping_address: AddressInput | None = strawberry.field(
        default=None, description="Replaces the whole shipping address (not carrier-validated)."
    )
    shipping_method: str | None = strawberry.field(default=None, description="1–64 characters.")


@strawberry.type
class OrderShippingUpdateSuccess(OrderChanged):
    """The order as it ships now; its history records each change old → new."""


OrderShippingUpdateResult = Annotated[
    OrderShippingUpdateSuccess
    | NotFound
    | OrderStatusInvalid
    | ValidationFailed
    | VersionConflict
    | IdempotencyKeyReused,
    strawberry.union("OrderShippingUpdateResult"),
]


def _address(value: AddressInput | None) -> AddressRequest | None:
    if value is None:
        return None
    return AddressRequest(
        name=value.name,
        line1=value.line1,
        line2=value.line2,
        city=value.city,
        region=value.region,
        postal_code=value.postal_code,
        country=value.country,
        phone=value.phone,
    )


async def order_shipping_update(
    info: Info, input: OrderShippingUpdateInput
) -> OrderShippingUpdateResult:
    """Change where and how an order in ORDER_REVIEW ships; the warehouse is told."""
    order_id = ids.decode(input.order_id, "Order", ["input", "orderId"])
    done = await change_order(
        info,
        "orderShippingUpdate",
        input,
        lambda s, v: update_shipping(
            s,
            v,
            order_id=order_id,
            shipping_method=input.shipping_method,
            shipping_address=_address(input.shipping_address),
            expected_version=input.expected_version,
        ),
    )
    return OrderShippingUpdateSuccess(order=done.order)
