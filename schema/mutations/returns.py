"""``returnCreate``, ``returnApprove`` and ``returnCancel`` (rules in resolvers.actions.returns)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.return_review import approve_return, cancel_return
from resolvers.actions.returns import (
    ReturnLineRequest,
    ReturnRequest,
    create_return,
    preview_return,
)
from schema import ids
from schema.context import Info
from schema.errors import (
    AmountExceedsRefundable,
    CommentInvalid,
    IdempotencyKeyReused,
    IllegalTransition,
    LineNotEligible,
    NotFound,
    ReasonUnknown,
    SourceNotAllowed,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import (
    ActionTaken,
    DryRunnable,
    OrderChangeInput,
    change_order,
    dry_run,
)
from schema.refunds import RefundBreakdown


@strawberry.input(description="One line to return.")
class ReturnLineInput:
    line_id: strawberry.ID
    reason: str = strawberry.field(description="A code of postsalesReasons(kind: RETURN).")
    return_to: str | None = strawberry.field(
        default=None,
        description="Code of the source the item goes back to (returnSources); by default "
        "the source the line shipped from. All lines of one return go to one source.",
    )


@strawberry.input(description="A return of delivered lines of one order.")
class ReturnCreateInput(OrderChangeInput):
    order_id: strawberry.ID
    lines: list[ReturnLineInput]
    comment: str = strawberry.field(description="Mandatory: 1–1,000 characters.")
    dry_run: bool = strawberry.field(
        default=False, description="Check and compute the refunds without writing anything."
    )


@strawberry.input
class ReturnActionInput(OrderChangeInput):
    action_id: strawberry.ID = strawberry.field(description="The return (PostsalesAction).")


@strawberry.type
class ReturnCreateSuccess(DryRunnable):
    refunds: list[RefundBreakdown] = strawberry.field(
        description="What approving the return would refund now: each line's remaining net "
        "and its tax."
    )


@strawberry.type
class ReturnApproveSuccess(ActionTaken):
    refunds: list[RefundBreakdown] = strawberry.field(
        description="The refunds requested (none for a no-refund return)."
    )


@strawberry.type
class ReturnCancelSuccess(ActionTaken):
    pass


ReturnCreateResult = Annotated[
    ReturnCreateSuccess
    | LineNotEligible
    | ReasonUnknown
    | SourceNotAllowed
    | CommentInvalid
    | NotFound
    | VersionConflict
    | IdempotencyKeyReused
    | ValidationFailed,
    strawberry.union("ReturnCreateResult"),
]
ReturnApproveResult = Annotated[
    ReturnApproveSuccess
    | IllegalTransition
    | LineNotEligible
    | AmountExceedsRefundable
    | NotFound
    | VersionConflict
    | IdempotencyKeyReused
    | ValidationFailed,
    strawberry.union("ReturnApproveResult"),
]
ReturnCancelResult = Annotated[
    ReturnCancelSuccess
    | IllegalTransition
    | LineNotEligible
    | NotFound
    | VersionConflict
    | IdempotencyKeyReused
    | ValidationFailed,
    strawberry.union("ReturnCancelResult"),
]


async def return_create(info: Info, input: ReturnCreateInput) -> ReturnCreateResult:
    """Open a return: lines RETURN_REQUESTED until it is approved or cancelled."""
    request = ReturnRequest(
        order_id=ids.decode(input.order_id, "Order", ["input", "orderId"]),
        lines=[
            ReturnLineRequest(
                ids.decode(x.line_id, "Line", ["input", "lines", str(i), "lineId"]),
                x.reason,
                x.return_to,
            )
            for i, x in enumerate(input.lines)
        ],
        comment=input.comment,
        expected_version=input.expected_version,
    )
    if input.dry_run:
        plan, order = await dry_run(info, lambda s, v: preview_return(s, v, request))
        refunds = [RefundBreakdown.of(f) for f in plan.refunds]
        return ReturnCreateSuccess(dry_run=True, order=order, action=None, refunds=refunds)
    done = await change_order(
        info, "returnCreate", input, lambda s, v: create_return(s, v, request), refunds=True
    )
    return ReturnCreateSuccess(
        dry_run=False, order=done.order, action=done.action, refunds=done.refunds
    )


async def return_approve(info: Info, input: ReturnActionInput) -> ReturnApproveResult:
    """Approve a requested return: lines RETURNED, refund requested, customer emailed."""
    action_id = ids.decode(input.action_id, "PostsalesAction", ["input", "actionId"])
    done = await change_order(
        info,
        "returnApprove",
        input,
        lambda s, v: approve_return(
            s, v, action_id=action_id, expected_version=input.expected_version
        ),
        refunds=True,
    )
    return ReturnApproveSuccess(order=done.order, action=done.the_action(), refunds=done.refunds)


async def return_cancel(info: Info, input: ReturnActionInput) -> ReturnCancelResult:
    """Cancel a requested return: its lines go back to their previous status."""
    action_id = ids.decode(input.action_id, "PostsalesAction", ["input", "actionId"])
    done = await change_order(
        info,
        "returnCancel",
        input,
        lambda s, v: cancel_return(
            s, v, action_id=action_id, expected_version=input.expected_version
        ),
    )
    return ReturnCancelSuccess(order=done.order, action=done.the_action())
