"""``reshipmentCreate``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.reshipment import AddressRequest, create_reshipment
from schema import ids
from schema.context import Info
from schema.errors import (
    CommentInvalid,
    IdempotencyKeyReused,
    LineNotEligible,
    NotFound,
    OutOfStock,
    ReasonUnknown,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import OrderChangeInput, OrderCreated, change_order


@strawberry.input(
    description="A shipping address. The required fields must be present; the address is "
    "not validated against a carrier."
)
class AddressInput:
    name: str
    line1: str
    line2: str | None = None
    city: str
    region: str | None = None
    postal_code: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. GB.")
    phone: str | None = None


@strawberry.input
class ReshipmentCreateInput(OrderChangeInput):
    order_id: strawberry.ID
    line_ids: list[strawberry.ID] = strawberry.field(
        description="SHIPPED or DELIVERED lines (lost or damaged); at least one."
    )
    shipping_method: str | None = strawberry.field(
        default=None, description="Overrides the original order's shipping method."
    )
    shipping_address: AddressInput | None = strawberry.field(
        default=None,
        description="Overrides the original shipping address; not validated against a carrier.",
    )
    comment: str | None = strawberry.field(default=None, description="Up to 1,000 characters.")
    reason: str | None = strawberry.field(
        default=None,
        description="Why: a code of postsalesReasons(kind: RESHIPMENT), e.g. LOST_IN_TRANSIT.",
    )


@strawberry.type
class ReshipmentCreateSuccess(OrderCreated):
    """The original order, its RESHIPMENT action and the reshipment order <number>-R<n>."""


ReshipmentCreateResult = Annotated[
    ReshipmentCreateSuccess
    | NotFound
    | ValidationFailed
    | LineNotEligible
    | OutOfStock
    | CommentInvalid
    | ReasonUnknown
    | VersionConflict
    | IdempotencyKeyReused,
    strawberry.union("ReshipmentCreateResult"),
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


async def reshipment_create(info: Info, input: ReshipmentCreateInput) -> ReshipmentCreateResult:
    """Send lost or damaged lines again, free of charge, on a new order <number>-R<n>."""
    order_id = ids.decode(input.order_id, "Order", ["input", "orderId"])
    line_ids = ids.decode_each(input.line_ids, "Line", ["input", "lineIds"])
    done = await change_order(
        info,
        "reshipmentCreate",
        input,
        lambda s, v: create_reshipment(
            s,
            v,
            order_id=order_id,
            line_ids=line_ids,
            shipping_method=input.shipping_method,
            shipping_address=_address(input.shipping_address),
            comment=input.comment,
            reason=input.reason,
            expected_version=input.expected_version,
        ),
    )
    return ReshipmentCreateSuccess(
        order=done.order, action=done.the_action(), new_order=done.the_new_order()
    )
