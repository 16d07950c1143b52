"""What the payment system reports back: a refund released, or failed.

A failed refund gives its amount back to the ledger (the line's, or the order's shipping)
and, for an appeasement, puts the appeasement in FAILED: visible to agents, retried by a
supervisor (``resolvers.actions.refund_retry``) or cancelled."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.money import Money
from models import Line, Order, PostsalesAction, Refund
from models.base import utcnow
from models.enums import (
    ActionKind,
    ActionStatus,
    ActorKind,
    Destination,
    HistoryKind,
    RefundStatus,
)
from resolvers import ledger
from resolvers.errors import NotFound, RefundNotOpen
from resolvers.journal import add_history, enqueue

OPEN = {RefundStatus.REQUESTED, RefundStatus.PENDING_RELEASE}


async def _refund(session: AsyncSession, refund_id: int) -> tuple[Refund, Order, Line | None]:
    found = (
        await session.execute(
            select(Refund, Order, Line)
            .join(Order, Order.id == Refund.order_id)
            .outerjoin(Line, Line.id == Refund.line_id)
            .where(Refund.id == refund_id)
            .with_for_update(of=Refund)
        )
    ).one_or_none()
    if found is None:
        raise NotFound(f"No refund has the id {refund_id}.", field=["input", "refundId"])
    return found[0], found[1], found[2]


def what(line: Line | None) -> str:
    """ "line 3", or "the shipping charge" for a refund without a line."""
    return f"line {line.number}" if line is not None else "the shipping charge"


def _figures(refund: Refund, line: Line | None) -> dict[str, object]:
    """What a payment entry's details say about its refund."""
    c = refund.currency
    return {
        "refundId": refund.id,
        "actionId": refund.action_id,
        "lines": [line.number] if line is not None else [],
        "net": Money.of(refund.net, c).figure,
        "tax": Money.of(refund.tax, c).figure,
        "gross": Money.of(refund.gross, c).figure,
        "currency": c,
    }


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
        f"Credit note of {amount} for {what(line)} received by the payment system; "
        "pending release.",
        actor_label="payment",
        actor_kind=ActorKind.INTEGRATION,
        details={**_figures(refund, line), "status": refund.status.value},
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
            f"Refund of {amount} for {what(line)} released by the payment system.",
            actor_label=actor_label,
            actor_kind=ActorKind.INTEGRATION,
            details={**_figures(refund, line), "status": "RELEASED"},
        )
        enqueue(
            session,
            Destination.EMAIL,
            "refund_released",
            {"refundId": refund.id, "gross": amount.figure},
            order.id,
        )
    else:
        await ledger.give_back(session, refund)
        refund.status = RefundStatus.FAILED
        refund.failure_reason = (reason or "no reason given")[:500]
        appeased = action is not None and action.kind is ActionKind.APPEASEMENT
        if action is not None and appeased:
            action.status = ActionStatus.FAILED
            action.updated_at = now
        add_history(
            session,
            order.id,
            HistoryKind.PAYMENT,
            f"The payment system could not release the refund of {amount} for {what(line)}: "
            f"{refund.failure_reason}. The amount is refundable again"
            + (
                "; the appeasement is FAILED until a supervisor retries or cancels it."
                if appeased
                else "."
            ),
            actor_label=actor_label,
            actor_kind=ActorKind.INTEGRATION,
            details={
                **_figures(refund, line),
                "status": "FAILED",
                "failureReason": refund.failure_reason,
            },
        )
    await session.flush()
    return refund
