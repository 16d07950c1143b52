"""Four-eyes approval of an appeasement above its creator's limit (the story of an appeasement
is in ``resolvers.actions.appeasement``; limits in ``resolvers.limits``).

An appeasement AWAITING_APPROVAL holds its amount on the ledger (refund RESERVED) and has
told the payment system nothing. A user with APPEASEMENT_APPROVE who did not create it, with
a mandatory comment (≤ 1,000 characters):

- approves it → REQUESTED, refund REQUESTED, the credit note queued: the normal flow from
  there (payment system, release, failure, retry, cancel);
- rejects it → REJECTED, refund CANCELLED, the amount refundable again.

Both record who decided, when and why on the action and in the order's history. Both are
guarded transitions after the order lock: of an approval, a rejection and a cancellation
racing on one appeasement exactly one wins; the others get IllegalTransition. The
reservation is what keeps the ledger whole meanwhile: a new appeasement on the same line sees
only what is left after it.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.db import rows_changed
from core.money import Money
from models import Line, Order, PostsalesAction, Refund
from models.base import utcnow
from models.enums import ActionKind, ActionStatus, HistoryKind, RefundStatus
from resolvers import ledger
from resolvers.actions.common import check_comment
from resolvers.actions.lookup import locked_action
from resolvers.actions.refunds import queue_credit_note
from resolvers.errors import IllegalTransition, NotAllowed
from resolvers.idempotency import Outcome
from resolvers.journal import add_history

MAX_COMMENT = 1000
ACTION = ["input", "actionId"]
COMMENT = ["input", "comment"]


async def _decide(
    session: AsyncSession,
    viewer: Viewer,
    action_id: int,
    comment: str | None,
    expected_version: int | None,
    to: ActionStatus,
    verb: str,
) -> tuple[Order, PostsalesAction, str, list[tuple[Refund, Line | None]]]:
    """Check and record the decision: the order, the action, the comment and the action's
    reserved refunds (locked)."""
    text = check_comment(comment, required=True, limit=MAX_COMMENT, field=COMMENT)
    assert text is not None
    order, action = await locked_action(
        session, viewer, action_id, ActionKind.APPEASEMENT, expected_version, ACTION
    )
    if action.status is not ActionStatus.AWAITING_APPROVAL:
        raise IllegalTransition(
            f"This appeasement is {action.status.value}: only one awaiting approval can be {verb}.",
            field=ACTION,
            status=action.status.value,
        )
    if action.created_by_id == viewer.user_id:
        raise NotAllowed(
            "You created this appeasement: another user must approve or reject it.",
            field=ACTION,
        )
    now = utcnow()
    # Guarded: of racing decisions and cancellations exactly one moves it.
    result = await session.execute(
        update(PostsalesAction)
        .where(
            PostsalesAction.id == action.id,
            PostsalesAction.status == ActionStatus.AWAITING_APPROVAL,
        )
        .values(
            status=to,
            decided_by_id=viewer.user_id,
            decided_at=now,
            decision_comment=text,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(action)
    if rows_changed(result) != 1:
        raise IllegalTransition(
            f"This appeasement is {action.status.value}: only one awaiting approval can be {verb}.",
            field=ACTION,
            status=action.status.value,
        )
    refunds: list[tuple[Refund, Line | None]] = [
        (refund, line)
        for refund, line in await session.execute(
            select(Refund, Line)
            .outerjoin(Line, Line.id == Refund.line_id)
            .where(Refund.action_id == action.id, Refund.status == RefundStatus.RESERVED)
            .order_by(Refund.id)
            .with_for_update(of=Refund)
            .execution_options(populate_existing=True)
        )
    ]
    return order, action, text, refunds


def _on(refunds: list[tuple[Refund, Line | None]]) -> tuple[str, list[int]]:
    numbers = sorted({line.number for _, line in refunds if line is not None})
    on = f"line {', '.join(map(str, numbers))}" if numbers else "the shipping charge"
    return on, numbers


async def approve_appeasement(
    session: AsyncSession,
    viewer: Viewer,
    *,
    action_id: int,
    comment: str | None,
    expected_version: int | None = None,
) -> Outcome:
    """Approve an appeasement awaiting approval: REQUESTED, the credit note queued."""
    order, action, text, refunds = await _decide(
        session, viewer, action_id, comment, expected_version, ActionStatus.REQUESTED, "approved"
    )
    for refund, line in refunds:
        refund.status = RefundStatus.REQUESTED
        refund.updated_at = utcnow()
        queue_credit_note(session, order, refund, line)
    await session.flush()
    on, numbers = _on(refunds)
    amount = Money.of(action.amount or 0, order.currency)
    add_history(
        session,
        order.id,
        HistoryKind.APPEASEMENT,
        f"Appeasement of {amount} on {on} approved by {viewer.display_name}: {text}",
        viewer=viewer,
        details={
            "actionId": action.id,
            "refundIds": [r.id for r, _ in refunds],
            "lines": numbers,
            "amount": amount.figure,
            "currency": order.currency,
            "decision": "APPROVED",
            "comment": text,
        },
    )
    return Outcome(order_id=order.id, action_id=action.id)


async def reject_appeasement(
    session: AsyncSession,
    viewer: Viewer,
    *,
    action_id: int,
    comment: str | None,
    expected_version: int | None = None,
) -> Outcome:
    """Reject an appeasement awaiting approval: REJECTED, its reservation released."""
    order, action, text, refunds = await _decide(
        session, viewer, action_id, comment, expected_version, ActionStatus.REJECTED, "rejected"
    )
    for refund, _ in refunds:
        await ledger.give_back(session, refund)
    on, numbers = _on(refunds)
    amount = Money.of(action.amount or 0, order.currency)
    add_history(
        session,
        order.id,
        HistoryKind.APPEASEMENT,
        f"Appeasement of {amount} on {on} rejected by {viewer.display_name}: {text}. "
        "The amount is refundable again.",
        viewer=viewer,
        details={
            "actionId": action.id,
            "refundIds": [r.id for r, _ in refunds],
            "lines": numbers,
            "amount": amount.figure,
            "currency": order.currency,
            "decision": "REJECTED",
            "comment": text,
        },
    )
    return Outcome(order_id=order.id, action_id=action.id)
