"""``orderCancel``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.cancel import cancel_order
from resolvers.actions.common import Outcome
from schema.context import Info
from schema.errors import (
    CommentInvalid,
    IdempotencyKeyReused,
    LineNotEligible,
    NotFound,
    OrderStatusInvalid,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import load_outcome, perform
from schema.order import Order
from schema.postsales import PostsalesAction


@strawberry.input
class OrderCancelInput:
    order_id: strawberry.ID
    line_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="ORDERED lines to cancel; omit (or null) to cancel the whole order. "
        "An empty list is refused.",
    )
    comment: str | None = strawberry.field(default=None, description="Up to 1,000 characters.")
    expected_version: int | None = None
    idempotency_key: str | None = None


@strawberry.type
class OrderCancelSuccess:
    order: Order = strawberry.field(description="The order, CANCELLED when no line is left.")
    action: PostsalesAction = strawberry.field(description="The CANCELLATION action.")


OrderCancelResult = Annotated[
    OrderCancelSuccess
    | NotFound
    | ValidationFailed
    | OrderStatusInvalid
    | LineNotEligible
    | CommentInvalid
    | VersionConflict
    | IdempotencyKeyReused,
    strawberry.union("OrderCancelResult"),
]


async def order_cancel(info: Info, input: OrderCancelInput) -> OrderCancelResult:
    """Cancel the whole order or selected ORDERED lines while the order is in ORDER_REVIEW:
    stock back, a void of each line's remaining amount, the customer emailed."""
    viewer = info.context.viewer
    assert viewer is not None
    line_ids = None if input.line_ids is None else list(input.line_ids)
    result = await perform(
        info,
        "orderCancel",
        {
            "orderId": input.order_id,
            "lineIds": line_ids,
            "comment": input.comment,
            "expectedVersion": input.expected_version,
        },
        input.idempotency_key,
        lambda session: cancel_order(
            session,
            viewer,
            order_gid=input.order_id,
            line_gids=line_ids,
            comment=input.comment,
            expected_version=input.expected_version,
        ),
    )
    if not isinstance(result, Outcome):
        return result  # type: ignore[no-any-return]
    order, action, _ = await load_outcome(info, result)
    assert action is not None
    return OrderCancelSuccess(order=order, action=action)
