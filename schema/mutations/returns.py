"""``returnCreate``, ``returnApprove`` and ``returnCancel`` (rules in resolvers.actions.returns)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.common import Outcome
from resolvers.actions.returns import (
    ReturnLineRequest,
    ReturnRequest,
    approve_return,
    cancel_return,
    create_return,
    preview_return,
)
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
from schema.mutations.common import load_outcome, perform
from schema.order import Order
from schema.postsales import PostsalesAction
from schema.refunds import RefundBreakdown, breakdowns, dry_run


@strawberry.input(description="One line to return.")
class ReturnLineInput:
    line_id: strawberry.ID
    reason: str = strawberry.field(description="A code of postsalesReasons(kind: RETURN).")
    return_to: str | None = strawberry.field(
        default=None,
        description="Code of the source the item goes back to (returnSources); by default "
        "the source the line shipped from. All lines of one return go to one source.",
    )


@strawberry.input(description="A return of shipped or delivered lines of one order.")
class ReturnCreateInput:
    order_id: strawberry.ID
    lines: list[ReturnLineInput]
    comment: str = strawberry.field(description="Mandatory: 1–1,000 characters.")
    expected_version: int | None = None
    idempotency_key: str | None = None
    dry_run: bool = strawberry.field(
        default=False, description="Check and compute the refunds without writing anything."
    )


@strawberry.input
class ReturnActionInput:
    action_id: strawberry.ID = strawberry.field(description="The return (PostsalesAction).")
    expected_version: int | None = None
    idempotency_key: str | None = None


@strawberry.type
class ReturnCreateSuccess:
    dry_run: bool = strawberry.field(description="True: nothing was written.")
    order: Order = strawberry.field(description="The order as it is now (after the change).")
    action: PostsalesAction | None = strawberry.field(
        description="The return created; null on a dry run."
    )
    refunds: list[RefundBreakdown] = strawberry.field(
        description="What approving the return would refund now: each line's remaining net "
        "and its tax."
    )


@strawberry.type
class ReturnApproveSuccess:
    order: Order
    action: PostsalesAction
    refunds: list[RefundBreakdown] = strawberry.field(
        description="The refunds requested (none for a no-refund return)."
    )


@strawberry.type
class ReturnCancelSuccess:
    order: Order
    action: PostsalesAction


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
    viewer = info.context.viewer
    assert viewer is not None
    request = ReturnRequest(
        order_id=input.order_id,
        lines=[ReturnLineRequest(x.line_id, x.reason, x.return_to) for x in input.lines],
        comment=input.comment,
        expected_version=input.expected_version,
    )
    if input.dry_run:
        checked = await dry_run(info, lambda s: preview_return(s, viewer, request))
        if not isinstance(checked, tuple):
            return checked  # type: ignore[no-any-return]
        plan, order = checked
        refunds = [RefundBreakdown.of(f) for f in plan.refunds]
        return ReturnCreateSuccess(dry_run=True, order=order, action=None, refunds=refunds)
    result = await perform(
        info,
        "returnCreate",
        {
            "orderId": input.order_id,
            "lines": [[x.line_id, x.reason, x.return_to] for x in input.lines],
            "comment": input.comment,
            "expectedVersion": input.expected_version,
        },
        input.idempotency_key,
        lambda session: create_return(session, viewer, request),
    )
    if not isinstance(result, Outcome):
        return result  # type: ignore[no-any-return]
    order, action, _ = await load_outcome(info, result)
    refunds = await breakdowns(info, result.action_id)
    return ReturnCreateSuccess(dry_run=False, order=order, action=action, refunds=refunds)


async def return_approve(info: Info, input: ReturnActionInput) -> ReturnApproveResult:
    """Approve a requested return: lines RETURNED, refund requested, customer emailed."""
    viewer = info.context.viewer
    assert viewer is not None
    result = await perform(
        info,
        "returnApprove",
        {"actionId": input.action_id, "expectedVersion": input.expected_version},
        input.idempotency_key,
        lambda session: approve_return(
            session, viewer, action_id=input.action_id, expected_version=input.expected_version
        ),
    )
    if not isinstance(result, Outcome):
        return result  # type: ignore[no-any-return]
    order, action, _ = await load_outcome(info, result)
    assert action is not None
    refunds = await breakdowns(info, result.action_id)
    return ReturnApproveSuccess(order=order, action=action, refunds=refunds)


async def return_cancel(info: Info, input: ReturnActionInput) -> ReturnCancelResult:
    """Cancel a requested return: its lines go back to their previous status."""
    viewer = info.context.viewer
    assert viewer is not None
    result = await perform(
        info,
        "returnCancel",
        {"actionId": input.action_id, "expectedVersion": input.expected_version},
        input.idempotency_key,
        lambda session: cancel_return(
            session, viewer, action_id=input.action_id, expected_version=input.expected_version
        ),
    )
    if not isinstance(result, Outcome):
        return result  # type: ignore[no-any-return]
    order, action, _ = await load_outcome(info, result)
    assert action is not None
    return ReturnCancelSuccess(order=order, action=action)
