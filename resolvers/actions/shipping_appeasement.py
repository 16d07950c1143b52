"""Shipping appeasements: refunding part or all of the shipping charge the customer paid, as an
order-level appeasement (no line) drawn from the order's shipping ledger
(``resolvers.shipping_ledger``), never above what is left of the shipping paid.

Otherwise an appeasement like any other (``resolvers.actions.appeasement``): amount > 0 at the
currency's precision, a reason of the appeasement list, an optional comment (≤ 1,000
characters) → action and refund REQUESTED, history, a credit note (``scope`` SHIPPING) for the
payment system; cancelled with ``appeasementCancel`` while not RELEASED, giving the amount
back to the shipping ledger. Above the creator's limit it awaits a second user's approval,
its amount reserved, exactly like a line appeasement. Exchange and reshipment orders charged
no shipping: nothing to refund there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.money import Money
from models import Order, Reason
from models.enums import ActionKind, ActionStatus, HistoryKind, RefundStatus
from resolvers import shipping_ledger
from resolvers.actions.common import check_comment, lock_order, open_action
from resolvers.actions.lookup import load_visible_order
from resolvers.actions.refunds import check_positive, check_precision, queue_credit_note
from resolvers.idempotency import Outcome
from resolvers.journal import add_history
from resolvers.limits import ApprovalReason, authority
from resolvers.reasons import ReasonKind, pick, reasons

MAX_COMMENT = 1000
ORDER = ["input", "orderId"]
AMOUNT = ["input", "amount"]


@dataclass(frozen=True)
class ShippingAppeasementRequest:
    order_id: int
    amount: Decimal
    reason: str
    comment: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ShippingAppeasementPlan:
    order: Order
    amount: Money
    reason: Reason
    comment: str | None
    remaining_after: Money
    approval: ApprovalReason | None = None
    approval_note: str = ""


async def _plan(
    session: AsyncSession, viewer: Viewer, request: ShippingAppeasementRequest, *, lock: bool
) -> ShippingAppeasementPlan:
    comment = check_comment(
        request.comment, required=False, limit=MAX_COMMENT, field=["input", "comment"]
    )
    check_positive(request.amount, AMOUNT)
    if lock:
        order = await lock_order(session, viewer, request.order_id, request.expected_version, ORDER)
    else:
        order = await load_visible_order(
            session, viewer, request.order_id, request.expected_version, ORDER
        )
    amount = check_precision(request.amount, order.currency, AMOUNT)
    reason = pick(
        await reasons(session, ReasonKind.APPEASEMENT), request.reason, ["input", "reason"]
    )
    left = Money.of(order.shipping_refundable, order.currency)
    if left < amount:
        raise shipping_ledger.refused(order, left.amount, AMOUNT)
    power = await authority(session, viewer, order.currency, lock=lock)
    approval = power.needs_approval(amount)
    note = power.explain(approval) if approval else ""
    return ShippingAppeasementPlan(order, amount, reason, comment, left - amount, approval, note)


async def preview_shipping_appeasement(
    session: AsyncSession, viewer: Viewer, request: ShippingAppeasementRequest
) -> ShippingAppeasementPlan:
    """The checks and figures, writing nothing (``dryRun``)."""
    return await _plan(session, viewer, request, lock=False)


async def create_shipping_appeasement(
    session: AsyncSession, viewer: Viewer, request: ShippingAppeasementRequest
) -> Outcome:
    """Refund part of the shipping charge: action and refund REQUESTED, credit note queued."""
    plan = await _plan(session, viewer, request, lock=True)
    order = plan.order
    waits = plan.approval is not None
    action = await open_action(
        session,
        viewer,
        order,
        ActionKind.APPEASEMENT,
        ActionStatus.AWAITING_APPROVAL if waits else ActionStatus.REQUESTED,
        amount=plan.amount.amount,
        reason_code=plan.reason.code,
        comment=plan.comment,
        approval_reason=plan.approval.value if plan.approval else None,
    )
    # The guarded draw makes the ledger safe; the check in _plan only words the error.
    refund = await shipping_ledger.draw(
        session,
        order,
        plan.amount.amount,
        action_id=action.id,
        field=AMOUNT,
        status=RefundStatus.RESERVED if waits else RefundStatus.REQUESTED,
    )
    c = order.currency
    what = f"Shipping appeasement of {plan.amount} ({plan.reason.label})"
    add_history(
        session,
        order.id,
        HistoryKind.APPEASEMENT,
        f"{what} awaits approval: {plan.approval_note}; the amount is reserved"
        if waits
        else f"{what} requested",
        viewer=viewer,
        details={
            "actionId": action.id,
            "refundId": refund.id,
            "shipping": True,
            "amount": Money.of(refund.net, c).figure,
            "tax": Money.of(refund.tax, c).figure,
            "gross": Money.of(refund.gross, c).figure,
            "currency": c,
            "reason": plan.reason.code,
            "comment": plan.comment,
            "shippingRefundableAfter": Money.of(order.shipping_refundable, c).figure,
            **({"approvalReason": plan.approval.value} if plan.approval else {}),
        },
    )
    if not waits:
        queue_credit_note(session, order, refund, None)
    return Outcome(order_id=order.id, action_id=action.id)
