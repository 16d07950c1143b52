"""``orderCommentAdd``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.comment import CommentKind, add_comment
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

CommentKindEnum = strawberry.enum(
    CommentKind,
    name="CommentKind",
    description="What a comment records: COMMUNICATION with the customer, a COMPLAINT, a "
    "TICKET_NOTE, TRACKING_INFORMATION of a shipment, or OTHER.",
)


@strawberry.input
class OrderCommentAddInput(OrderChangeInput):
    order_id: strawberry.ID
    text: str = strawberry.field(description="1–2,000 characters, stored as typed.")
    kind: CommentKind = strawberry.field(
        default=CommentKind.OTHER, description="What the comment records (OTHER if omitted)."
    )
    ticket_reference: str | None = strawberry.field(
        default=None, description="The external ticket it belongs to, up to 64 characters."
    )


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
            s,
            v,
            order_id=order_id,
            text=input.text,
            kind=input.kind,
            ticket_reference=input.ticket_reference,
            expected_version=input.expected_version,
        ),
    )
    return OrderCommentAddSuccess(order=done.order)
