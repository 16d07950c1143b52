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
from schema import ids
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
from schema.mutations.common import (
    ActionTaken,
    ApprovalNeeded,
    DryRunnable,
    OrderChangeInput,
    change_order,
    dry_run,
)
from schema.refunds import RefundBreakdown


@strawberry.input(description="A special refund of part or all of one line's net amount.")
class AppeasementCreateInput(OrderChangeInput):
    line_id: strawberry.ID
    amount: Decimal = strawberry.field(
        description="Net amount to refund, > 0, at most the line's refundableAmount, "
        "with no more decimals than the currency has."
    )
    reason: str = strawberry.field(description="A code of postsalesReasons(kind: APPEASEMENT).")
    comment: str | None = strawberry.field(default=None, description="At most 1,000 characters.")
    dry_run: bool = strawberry.field(
        default=False, description="Check and compute the refund without writing anything."
    )


@strawberry.input
class AppeasementCancelInput(OrderChangeInput):
    action_id: strawberry.ID = strawberry.field(description="The appeasement (PostsalesAction).")


@strawberry.type
class AppeasementCreateSuccess(DryRunnable, ApprovalNeeded):
    refund: RefundBreakdown = strawberry.field(description="The refund made (or that would be).")


@strawberry.type
class AppeasementCancelSuccess(ActionTaken):
    pass


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
    request = AppeasementRequest(
        line_id=ids.decode(input.line_id, "Line", ["input", "lineId"]),
        amount=input.amount,
        reason=input.reason,
        comment=input.comment,
        expected_version=input.expected_version,
    )
    if input.dry_run:
        plan, order = await dry_run(info, lambda s, v: preview_appeasement(s, v, request))
        refund = RefundBreakdown.of(plan.refund)
        return AppeasementCreateSuccess(
            dry_run=True,
            order=order,
            action=None,
            refund=refund,
            needs_approval=plan.approval is not None,
            approval_reason=plan.approval,
        )
    done = await change_order(
        info,
        "appeasementCreate",
        input,
        lambda s, v: create_appeasement(s, v, request),
        refunds=True,
    )
    action = done.the_action()
    return AppeasementCreateSuccess(
        dry_run=False,
        order=done.order,
        action=action,
        refund=done.refunds[0],
        needs_approval=action.approval_reason is not None,
        approval_reason=action.approval_reason,
    )


async def appeasement_cancel(info: Info, input: AppeasementCancelInput) -> AppeasementCancelResult:
    """Cancel an appeasement not yet released: its amount is refundable again."""
    action_id = ids.decode(input.action_id, "PostsalesAction", ["input", "actionId"])
    done = await change_order(
        info,
        "appeasementCancel",
        input,
        lambda s, v: cancel_appeasement(
            s, v, action_id=action_id, expected_version=input.expected_version
        ),
    )
    return AppeasementCancelSuccess(order=done.order, action=done.the_action())
