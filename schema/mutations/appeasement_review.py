"""``appeasementApprove`` and ``appeasementReject``: a second user's decision on an appeasement
above its creator's limit (rules in resolvers.actions.appeasement_review)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.actions.appeasement_review import approve_appeasement, reject_appeasement
from schema import ids
from schema.context import Info
from schema.errors import (
    CommentInvalid,
    IdempotencyKeyReused,
    IllegalTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import ActionTaken, OrderChangeInput, change_order


@strawberry.input(description="A decision on an appeasement AWAITING_APPROVAL.")
class AppeasementDecisionInput(OrderChangeInput):
    action_id: strawberry.ID = strawberry.field(description="The appeasement (PostsalesAction).")
    comment: str = strawberry.field(description="Mandatory: 1–1,000 characters.")


@strawberry.type
class AppeasementApproveSuccess(ActionTaken):
    pass


@strawberry.type
class AppeasementRejectSuccess(ActionTaken):
    pass


AppeasementApproveResult = Annotated[
    AppeasementApproveSuccess
    | IllegalTransition
    | NotAllowed
    | CommentInvalid
    | NotFound
    | VersionConflict
    | IdempotencyKeyReused
    | ValidationFailed,
    strawberry.union("AppeasementApproveResult"),
]
AppeasementRejectResult = Annotated[
    AppeasementRejectSuccess
    | IllegalTransition
    | NotAllowed
    | CommentInvalid
    | NotFound
    | VersionConflict
    | IdempotencyKeyReused
    | ValidationFailed,
    strawberry.union("AppeasementRejectResult"),
]


async def appeasement_approve(
    info: Info, input: AppeasementDecisionInput
) -> AppeasementApproveResult:
    """Approve an appeasement awaiting approval: refund requested, credit note queued."""
    action_id = ids.decode(input.action_id, "PostsalesAction", ["input", "actionId"])
    done = await change_order(
        info,
        "appeasementApprove",
        input,
        lambda s, v: approve_appeasement(
            s,
            v,
            action_id=action_id,
            comment=input.comment,
            expected_version=input.expected_version,
        ),
    )
    return AppeasementApproveSuccess(order=done.order, action=done.the_action())


async def appeasement_reject(
    info: Info, input: AppeasementDecisionInput
) -> AppeasementRejectResult:
    """Reject an appeasement awaiting approval: its reserved amount is refundable again."""
    action_id = ids.decode(input.action_id, "PostsalesAction", ["input", "actionId"])
    done = await change_order(
        info,
        "appeasementReject",
        input,
        lambda s, v: reject_appeasement(
            s,
            v,
            action_id=action_id,
            comment=input.comment,
            expected_version=input.expected_version,
        ),
    )
    return AppeasementRejectSuccess(order=done.order, action=done.the_action())
