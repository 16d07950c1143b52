"""``reshipmentCreate``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.common import Outcome
from resolvers.actions.reshipment import AddressRequest, create_reshipment
from schema.context import Info
from schema.errors import (
    CommentInvalid,
    IdempotencyKeyReused,
    LineNotEligible,
    NotFound,
    OutOfStock,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import load_outcome, perform
from schema.order import Order
from schema.postsales import PostsalesAction


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
class ReshipmentCreateInput:
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
    expected_version: int | None = None
    idempotency_key: str | None = None


@strawberry.type
class ReshipmentCreateSuccess:
    order: Order = strawberry.field(description="The original order, as it is now.")
    action: PostsalesAction = strawberry.field(description="The RESHIPMENT action.")
    new_order: Order = strawberry.field(description="The reshipment order <number>-R<n>.")


ReshipmentCreateResult = Annotated[
    ReshipmentCreateSuccess
    | NotFound
    | ValidationFailed
    | LineNotEligible
    | OutOfStock
    | CommentInvalid
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
    viewer = info.context.viewer
    assert viewer is not None
    address = _address(input.shipping_address)
    result = await perform(
        info,
        "reshipmentCreate",
        {
            "orderId": input.order_id,
            "lineIds": list(input.line_ids),
            "shippingMethod": input.shipping_method,
            "shippingAddress": vars(address) if address else None,
            "comment": input.comment,
            "expectedVersion": input.expected_version,
        },
        input.idempotency_key,
        lambda session: create_reshipment(
            session,
            viewer,
            order_gid=input.order_id,
            line_gids=list(input.line_ids),
            shipping_method=input.shipping_method,
            shipping_address=address,
            comment=input.comment,
            expected_version=input.expected_version,
        ),
    )
    if not isinstance(result, Outcome):
        return result  # type: ignore[no-any-return]
    order, action, new_order = await load_outcome(info, result)
    assert action is not None and new_order is not None
    return ReshipmentCreateSuccess(order=order, action=action, new_order=new_order)
