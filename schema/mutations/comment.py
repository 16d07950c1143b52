"""``orderCommentAdd``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.comment import add_comment
from resolvers.actions.common import Outcome
from schema.context import Info
from schema.errors import (
    CommentInvalid,
    IdempotencyKeyReused,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import load_outcome, perform
from schema.order import Order


@strawberry.input
class OrderCommentAddInput:
    order_id: strawberry.ID
    text: str = strawberry.field(description="1–2,000 characters, stored as typed.")
    expected_version: int | None = None
    idempotency_key: str | None = None


@strawberry.type
class OrderCommentAddSuccess:
    order: Order


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
    viewer = info.context.viewer
    assert viewer is not None
    result = await perform(
        info,
        "orderCommentAdd",
        {"orderId": input.order_id, "text": input.text, "expectedVersion": input.expected_version},
        input.idempotency_key,
        lambda session: add_comment(
            session,
            viewer,
            order_gid=input.order_id,
            text=input.text,
            expected_version=input.expected_version,
        ),
    )
    if not isinstance(result, Outcome):
        return result  # type: ignore[no-any-return]
    order, _, _ = await load_outcome(info, result)
    return OrderCommentAddSuccess(order=order)
