"""What the payment system reports back: a refund released, or failed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.money import Money
from models import Line, Order, PostsalesAction, Refund
from models.base import utcnow
from models.enums import ActionKind, ActionStatus, HistoryKind, RefundStatus
from resolvers import ledger
from resolvers.errors import NotFound, RefundNotOpen
from resolvers.journal import add_history, enqueue

OPEN = {RefundStatus.REQUESTED, RefundStatus.PENDING_RELEASE}


async def _refund(session: AsyncSession, refund_id: int) -> tuple[Refund, Order, Line]:
    found = (
        await session.execute(
            select(Refund, Order, Line)
            .join(Order, Order.id == Refund.order_id)
            .join(Line, Line.id == Refund.line_id)
            .where(Refund.id == refund_id)
            .with_for_update(of=Refund)
        )
    ).one_or_none()
    if found is None:
        raise NotFound(f"No refund has the id {refund_id}.", field=["input", "refundId"])
    return found[0], found[1], found[2]


async def mark_pending_release(session: AsyncSession, refund_id: int) -> Refund | None:
    """The payment system received the credit note: REQUESTED → PENDING_RELEASE (refund and
    appeasement). Anything else is left as it is (e.g. already released, cancelled)."""
    refund, order, line = await _refund(session, refund_id)
    if refund.status is not RefundStatus.REQUESTED:
        return None
    refund.status = RefundStatus.PENDING_RELEASE
    refund.updated_at = utcnow()
    action = await session.get(PostsalesAction, refund.action_id) if refund.action_id else None
    if (
        action is not None
        and action.kind is ActionKind.APPEASEMENT
        and (action.status is ActionStatus.REQUESTED)
    ):
        action.status = ActionStatus.PENDING_RELEASE
        action.updated_at = utcnow()
    amount = Money.of(refund.gross, refund.currency)
    add_history(
        session,
        order.id,
        HistoryKind.PAYMENT,
        f"Credit note of {amount} for line {line.number} received by the payment system; "
        "pending release.",
        actor_label="payment",
        details={"refundId": refund.id, "status": refund.status.value},
    )
    return refund


async def confirm_refund(
    session: AsyncSession,
    refund_id: int,
    *,
    released: bool,
    reason: str | None = None,
    actor_label: str = "payment",
) -> Refund:
    """RELEASED (or FAILED, giving the amount back to the line) as the payment system says.
    Confirming a refund that is already RELEASED changes nothing."""
    refund, order, line = await _refund(session, refund_id)
    if refund.status is RefundStatus.RELEASED and released:
        return refund
    if refund.status not in OPEN:
        raise RefundNotOpen(
            f"Refund {refund.id} is {refund.status.value}; it cannot be "
            f"{'released' if released else 'failed'}.",
            field=["input", "refundId"],
            status=refund.status.value,
        )
    amount = Money.of(refund.gross, refund.currency)
    action = await session.get(PostsalesAction, refund.action_id) if refund.action_id else None
    now = utcnow()
    if released:
        refund.status = RefundStatus.RELEASED
        refund.updated_at = now
        if action is not None and action.kind is ActionKind.APPEASEMENT:
            action.status = ActionStatus.RELEASED
            action.updated_at = now
        add_history(
            session,
            order.id,
            HistoryKind.PAYMENT,
            f"Refund of {amount} for line {line.number} released by the payment system.",
            actor_label=actor_label,
            details={"refundId": refund.id, "status": "RELEASED"},
        )
        enqueue(
            session,
            "EMAIL",
            "refund_released",
            {"refundId": refund.id, "gross": amount.figure},
            order.id,
        )
    else:
        await ledger.give_back(session, refund)
        refund.status = RefundStatus.FAILED
        refund.failure_reason = (reason or "no reason given")[:500]
        add_history(
            session,
            order.id,
            HistoryKind.PAYMENT,
            f"The payment system could not release the refund of {amount} for line "
            f"{line.number}: {refund.failure_reason}. The amount is refundable again.",
            actor_label=actor_label,
            details={"refundId": refund.id, "status": "FAILED", "reason": refund.failure_reason},
        )
    await session.flush()
    return refund
