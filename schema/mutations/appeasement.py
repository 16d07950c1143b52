"""``appeasementCreate`` and ``appeasementCancel`` (rules in resolvers.actions.appeasement)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers.actions.appeasement import (
    AppeasementRequest,
    cancel_appeasement,
    create_appeasement,
    preview_appeasement,
)
from resolvers.actions.common import Outcome
from resolvers.money import canonical_amount
from schema.context import Info
from schema.errors import (
    AmountExceedsRefundable,
    AmountNotPositive,
    AmountPrecisionInvalid,
    CommentInvalid,
    IdempotencyKeyReused,
    IllegalTransition,
    LineNotEligible,
    NotFound,
    ReasonUnknown,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import load_outcome, perform
from schema.order import Order
from schema.postsales import PostsalesAction
from schema.refunds import RefundBreakdown, breakdowns, dry_run


@strawberry.input(description="A special refund of part or all of one line's net amount.")
class AppeasementCreateInput:
    line_id: strawberry.ID
    amount: Decimal = strawberry.field(
        description="Net amount to refund, > 0, at most the line's refundableAmount, "
        "with no more decimals than the currency has."
    )
    reason: str = strawberry.field(description="A code of postsalesReasons(kind: APPEASEMENT).")
    comment: str | None = strawberry.field(default=None, description="At most 1,000 characters.")
    expected_version: int | None = strawberry.field(
        default=None, description="The order's version as loaded: refused when it changed since."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retries with the same key and input return the first result."
    )
    dry_run: bool = strawberry.field(
        default=False, description="Check and compute the refund without writing anything."
    )


@strawberry.input
class AppeasementCancelInput:
    action_id: strawberry.ID = strawberry.field(description="The appeasement (PostsalesAction).")
    expected_version: int | None = None
    idempotency_key: str | None = None


@strawberry.type
class AppeasementCreateSuccess:
    dry_run: bool = strawberry.field(description="True: nothing was written.")
    order: Order = strawberry.field(description="The order as it is now (after the change).")
    action: PostsalesAction | None = strawberry.field(
        description="The appeasement created; null on a dry run."
    )
    refund: RefundBreakdown = strawberry.field(description="The refund made (or that would be).")


@strawberry.type
class AppeasementCancelSuccess:
    order: Order
    action: PostsalesAction


AppeasementCreateResult = Annotated[
    AppeasementCreateSuccess
    | AmountExceedsRefundable
    | AmountNotPositive
    | AmountPrecisionInvalid
    | ReasonUnknown
    | CommentInvalid
    | LineNotEligible
    | NotFound
    | VersionConflict
    | IdempotencyKeyReused
    | ValidationFailed,
    strawberry.union("AppeasementCreateResult"),
]
AppeasementCancelResult = Annotated[
    AppeasementCancelSuccess
    | IllegalTransition
    | NotFound
    | VersionConflict
    | IdempotencyKeyReused
    | ValidationFailed,
    strawberry.union("AppeasementCancelResult"),
]


async def appeasement_create(info: Info, input: AppeasementCreateInput) -> AppeasementCreateResult:
    """Refund part or all of a line's net: action and refund REQUESTED, credit note queued."""
    viewer = info.context.viewer
    assert viewer is not None
    request = AppeasementRequest(
        line_id=input.line_id,
        amount=input.amount,
        reason=input.reason,
        comment=input.comment,
        expected_version=input.expected_version,
    )
    if input.dry_run:
        checked = await dry_run(info, lambda s: preview_appeasement(s, viewer, request))
        if not isinstance(checked, tuple):
            return checked  # type: ignore[no-any-return]
        plan, order = checked
        return AppeasementCreateSuccess(
            dry_run=True, order=order, action=None, refund=RefundBreakdown.of(plan.refund)
        )
    result = await perform(
        info,
        "appeasementCreate",
        {
            "lineId": input.line_id,
            "amount": canonical_amount(input.amount),
            "reason": input.reason,
            "comment": input.comment,
            "expectedVersion": input.expected_version,
        },
        input.idempotency_key,
        lambda session: create_appeasement(session, viewer, request),
    )
    if not isinstance(result, Outcome):
        return result  # type: ignore[no-any-return]
    order, action, _ = await load_outcome(info, result)
    refunds = await breakdowns(info, result.action_id)
    assert action is not None and refunds
    return AppeasementCreateSuccess(dry_run=False, order=order, action=action, refund=refunds[0])


async def appeasement_cancel(info: Info, input: AppeasementCancelInput) -> AppeasementCancelResult:
    """Cancel an appeasement not yet released: its amount is refundable again."""
    viewer = info.context.viewer
    assert viewer is not None
    result = await perform(
        info,
        "appeasementCancel",
        {"actionId": input.action_id, "expectedVersion": input.expected_version},
        input.idempotency_key,
        lambda session: cancel_appeasement(
            session, viewer, action_id=input.action_id, expected_version=input.expected_version
        ),
    )
    if not isinstance(result, Outcome):
        return result  # type: ignore[no-any-return]
    order, action, _ = await load_outcome(info, result)
    assert action is not None
    return AppeasementCancelSuccess(order=order, action=action)
