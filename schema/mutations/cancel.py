"""``orderCancel``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.cancel import cancel_order
from schema import ids
from schema.context import Info
from schema.errors import (
    AmountExceedsRefundable,
    CommentInvalid,
    IdempotencyKeyReused,
    LineNotEligible,
    NotFound,
    OrderStatusInvalid,
    ReasonUnknown,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import ActionTaken, OrderChangeInput, change_order


@strawberry.input
class OrderCancelInput(OrderChangeInput):
    order_id: strawberry.ID
    line_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="ORDERED lines to cancel; omit (or null) to cancel the whole order. "
        "An empty list is refused.",
    )
    comment: str | None = strawberry.field(default=None, description="Up to 1,000 characters.")
    reason: str | None = strawberry.field(
        default=None,
        description="Required: a code of postsalesReasons(kind: CANCELLATION); without one the "
        "answer is ReasonUnknown listing the codes allowed.",
    )


@strawberry.type
class OrderCancelSuccess(ActionTaken):
    """The order (CANCELLED when no line is left) and the CANCELLATION action."""


OrderCancelResult = Annotated[
    OrderCancelSuccess
    | NotFound
    | ValidationFailed
    | OrderStatusInvalid
    | LineNotEligible
    | CommentInvalid
    | ReasonUnknown
    | AmountExceedsRefundable
    | VersionConflict
    | IdempotencyKeyReused,
    strawberry.union("OrderCancelResult"),
]


async def order_cancel(info: Info, input: OrderCancelInput) -> OrderCancelResult:
    """Cancel the whole order or selected ORDERED lines while the order is in ORDER_REVIEW:
    stock back, a void of each line's remaining amount, the customer emailed."""
    order_id = ids.decode(input.order_id, "Order", ["input", "orderId"])
    line_ids = (
        None
        if input.line_ids is None
        else ids.decode_each(input.line_ids, "Line", ["input", "lineIds"])
    )
    done = await change_order(
        info,
        "orderCancel",
        input,
        lambda s, v: cancel_order(
            s,
            v,
            order_id=order_id,
            line_ids=line_ids,
            comment=input.comment,
            reason=input.reason,
            expected_version=input.expected_version,
        ),
    )
    return OrderCancelSuccess(order=done.order, action=done.the_action())
