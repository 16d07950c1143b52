"""``exchangeCreate``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.common import Outcome
from resolvers.actions.exchange import ExchangeLine, create_exchange
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
from schema.mutations.common import load_outcome, perform
from schema.order import Order
from schema.postsales import PostsalesAction


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
class ExchangeCreateInput:
    order_id: strawberry.ID
    lines: list[ExchangeLineInput] = strawberry.field(description="At least one line.")
    comment: str | None = strawberry.field(default=None, description="Up to 1,000 characters.")
    expected_version: int | None = None
    idempotency_key: str | None = None


@strawberry.type
class ExchangeCreateSuccess:
    order: Order = strawberry.field(description="The original order, as it is now.")
    action: PostsalesAction = strawberry.field(description="The EXCHANGE action.")
    new_order: Order = strawberry.field(description="The exchange order <number>-E<n>.")


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
    viewer = info.context.viewer
    assert viewer is not None
    lines = [ExchangeLine(line_id=x.line_id, sku_code=x.sku_code) for x in input.lines]
    result = await perform(
        info,
        "exchangeCreate",
        {
            "orderId": input.order_id,
            "lines": [{"lineId": x.line_id, "skuCode": x.sku_code} for x in lines],
            "comment": input.comment,
            "expectedVersion": input.expected_version,
        },
        input.idempotency_key,
        lambda session: create_exchange(
            session,
            viewer,
            order_gid=input.order_id,
            lines=lines,
            comment=input.comment,
            expected_version=input.expected_version,
        ),
    )
    if not isinstance(result, Outcome):
        return result  # type: ignore[no-any-return]
    order, action, new_order = await load_outcome(info, result)
    assert action is not None and new_order is not None
    return ExchangeCreateSuccess(order=order, action=action, new_order=new_order)
