"""``orderCommentAdd``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.comment import add_comment
from schema import ids
from schema.context import Info
from schema.errors import (
    CommentInvalid,
    IdempotencyKeyReused,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import OrderChanged, OrderChangeInput, change_order


@strawberry.input
class OrderCommentAddInput(OrderChangeInput):
    order_id: strawberry.ID
    text: str = strawberry.field(description="1–2,000 characters, stored as typed.")


@strawberry.type
class OrderCommentAddSuccess(OrderChanged):
    pass


OrderCommentAddResult = Annotated[
    OrderCommentAddSuccess
    | CommentInvalid
    | NotFound
    | ValidationFailed
    | VersionConflict
    | IdempotencyKeyReused,
    strawberry.union("OrderCommentAddResult"),
]


async def order_comment_add(info: Info, input: OrderCommentAddInput) -> OrderCommentAddResult:
    """Leave a comment on the order; it shows in History and comments with author and time."""
    order_id = ids.decode(input.order_id, "Order", ["input", "orderId"])
    done = await change_order(
        info,
        "orderCommentAdd",
        input,
        lambda s, v: add_comment(
            s, v, order_id=order_id, text=input.text, expected_version=input.expected_version
        ),
    )
    return OrderCommentAddSuccess(order=done.order)
