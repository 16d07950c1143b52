"""``refundRetry`` (rules in resolvers.actions.refund_retry)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy import select

from models import Refund as RefundRow
from resolvers.actions.refund_retry import retry_refund
from resolvers.errors import NotFound as Missing
from schema.context import Info
from schema.errors import (
    AmountExceedsRefundable,
    IdempotencyKeyReused,
    IllegalTransition,
    NotFound,
    ShippingNotRefundable,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import OrderChanged, OrderChangeInput, change_order
from schema.postsales import PostsalesAction
from schema.refunds import Refund


@strawberry.input(description="Send a FAILED refund to the payment system again.")
class RefundRetryInput(OrderChangeInput):
    refund_id: int = strawberry.field(description="The FAILED refund (Refund.id).")


@strawberry.type
class RefundRetrySuccess(OrderChanged):
    refund: Refund = strawberry.field(description="The new refund, REQUESTED (retryOf: the old).")
    action: PostsalesAction | None = strawberry.field(
        description="Its appeasement (back to REQUESTED) or return; null for a void."
    )


RefundRetryResult = Annotated[
    RefundRetrySuccess
    | NotFound
    | IllegalTransition
    | AmountExceedsRefundable
    | ShippingNotRefundable
    | VersionConflict
    | IdempotencyKeyReused
    | ValidationFailed,
    strawberry.union("RefundRetryResult"),
]


async def refund_retry(info: Info, input: RefundRetryInput) -> RefundRetryResult:
    """A supervisor sends a failed refund again: the same amount, a new credit note."""
    done = await change_order(
        info,
        "refundRetry",
        input,
        lambda s, v: retry_refund(
            s, v, refund_id=input.refund_id, expected_version=input.expected_version
        ),
    )
    async with info.context.read() as session:
        row = await session.scalar(
            select(RefundRow).where(RefundRow.retry_of_id == input.refund_id)
        )
    if row is None:
        raise Missing("The new refund is no longer visible.", field=["input", "refundId"])
    return RefundRetrySuccess(order=done.order, refund=Refund.of(row, info), action=done.action)
