"""``exchangeCreate``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.exchange import ExchangeLine, create_exchange
from schema import ids
from schema.context import Info
from schema.errors import (
    CommentInvalid,
    IdempotencyKeyReused,
    LineNotEligible,
    NotFound,
    OutOfStock,
    SkuNotEligible,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import OrderChangeInput, OrderCreated, change_order


@strawberry.input
class ExchangeLineInput:
    line_id: strawberry.ID = strawberry.field(
        description="A SHIPPED or DELIVERED line, not returned, not in an open return, "
        "not exchanged before."
    )
    sku_code: str = strawberry.field(
        description="The SKU it is exchanged for: another child of the same style with stock "
        "in the order's store (see exchangeCandidates)."
    )


@strawberry.input
class ExchangeCreateInput(OrderChangeInput):
    order_id: strawberry.ID
    lines: list[ExchangeLineInput] = strawberry.field(description="At least one line.")
    comment: str | None = strawberry.field(default=None, description="Up to 1,000 characters.")


@strawberry.type
class ExchangeCreateSuccess(OrderCreated):
    """The original order, its EXCHANGE action and the exchange order <number>-E<n>."""


ExchangeCreateResult = Annotated[
    ExchangeCreateSuccess
    | NotFound
    | ValidationFailed
    | LineNotEligible
    | SkuNotEligible
    | OutOfStock
    | CommentInvalid
    | VersionConflict
    | IdempotencyKeyReused,
    strawberry.union("ExchangeCreateResult"),
]


async def exchange_create(info: Info, input: ExchangeCreateInput) -> ExchangeCreateResult:
    """Exchange lines for other children of their style on a new order <number>-E<n> (no
    payment); each exchanged line gets a no-refund return on the original order."""
    order_id = ids.decode(input.order_id, "Order", ["input", "orderId"])
    lines = [
        ExchangeLine(
            ids.decode(x.line_id, "Line", ["input", "lines", str(i), "lineId"]), x.sku_code
        )
        for i, x in enumerate(input.lines)
    ]
    done = await change_order(
        info,
        "exchangeCreate",
        input,
        lambda s, v: create_exchange(
            s,
            v,
            order_id=order_id,
            lines=lines,
            comment=input.comment,
            expected_version=input.expected_version,
        ),
    )
    return ExchangeCreateSuccess(
        order=done.order, action=done.the_action(), new_order=done.the_new_order()
    )
