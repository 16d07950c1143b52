"""Appeasements (special refunds): part or all of one line's net, drawn from the refund ledger.

Create: one line that is not CANCELLED, an amount > 0 at the currency's precision and at most
the line's remaining refundable net, a reason from the configured list, an optional comment
(≤ 1,000 characters) → action and refund REQUESTED, history, a credit note for the payment
system. Above the creator's limit (``resolvers.limits``): action AWAITING_APPROVAL, the
amount reserved on the ledger at once (refund RESERVED), history, and nothing for the payment
system until a second user approves it (``resolvers.actions.appeasement_review``). Cancel,
while not RELEASED: the amount goes back to the line's remaining net, action and refund
CANCELLED, history, the credit note withdrawn (none was sent for a reservation).
``preview_appeasement`` runs the same checks without writing anything (``dryRun``) and says
whether the appeasement would need approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.db import rows_changed
from core.money import Money
from models import Line, Order, PostsalesAction, PostsalesActionLine, Reason, Refund
from models.base import utcnow, whole_row
from models.enums import ActionKind, ActionStatus, HistoryKind, LineStatus, RefundKind, RefundStatus
from resolvers import ledger
from resolvers.actions.common import check_comment, lock_order_of_line, open_action
from resolvers.actions.lookup import load_visible_order, locked_action
from resolvers.actions.refunds import (
    RefundFigures,
    check_positive,
    check_precision,
    figures,
    queue_credit_note,
    queue_credit_note_cancelled,
)
from resolvers.eligibility import appeasable
from resolvers.errors import (
    AmountExceedsRefundable,
    IllegalTransition,
    LineNotEligible,
    NotFound,
)
from resolvers.idempotency import Outcome, Written
from resolvers.journal import add_history
from resolvers.limits import ApprovalReason, authority
from resolvers.reasons import ReasonKind, pick, reasons

MAX_COMMENT = 1000
LINE = ["input", "lineId"]
AMOUNT = ["input", "amount"]
ACTION = ["input", "actionId"]
# An appeasement may be cancelled until the payment system confirms the refund, once it
# failed (instead of retrying it), and while it awaits approval.
CANCELLABLE = (
    ActionStatus.REQUESTED,
    ActionStatus.PENDING_RELEASE,
    ActionStatus.FAILED,
    ActionStatus.AWAITING_APPROVAL,
)
# The order's lines as committed, the appeased one among them (built once: every appeasement
# reads them; the answer shows them all).
_LINES = (
    select(Line)
    .where(Line.order_id == bindparam("order_id"))
    .order_by(Line.number)
    .execution_options(populate_existing=True)
)


@dataclass(frozen=True)
class AppeasementRequest:
    line_id: int
    amount: Decimal
    reason: str
    comment: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class AppeasementPlan:
    """A checked appeasement: what it acts on and the refund it makes."""

    order: Order
    line: Line
    amount: Money
    reason: Reason
    comment: str | None
    refund: RefundFigures
    # Why it needs a second user's approval (None: it does not), and the sentence saying so.
    approval: ApprovalReason | None = None
    approval_note: str = ""
    # Every line of the order, ``line`` among them.
    lines: tuple[Line, ...] = ()


async def _plan(
    session: AsyncSession, viewer: Viewer, request: AppeasementRequest, *, lock: bool
) -> AppeasementPlan:
    """Every rule of an appeasement, in the order an agent fixes them; with ``lock`` the order
    is locked and its version bumped (a real run), else it is only read (a dry run)."""
    comment = check_comment(
        request.comment, required=False, limit=MAX_COMMENT, field=["input", "comment"]
    )
    check_positive(request.amount, AMOUNT)
    if lock:
        order = await lock_order_of_line(
            session, viewer, request.line_id, request.expected_version, LINE
        )
    else:
        order_id = await session.scalar(select(Line.order_id).where(Line.id == request.line_id))
        if order_id is None:
            raise NotFound("No such line.", field=LINE)
        try:
            order = await load_visible_order(
                session, viewer, order_id, request.expected_version, LINE
            )
        except NotFound:  # another store's line: exactly as if it did not exist
            raise NotFound("No such line.", field=LINE) from None
    amount = check_precision(request.amount, order.currency, AMOUNT)
    reason = pick(
        await reasons(session, ReasonKind.APPEASEMENT), request.reason, ["input", "reason"]
    )
    lines = tuple(await session.scalars(_LINES, {"order_id": order.id}))
    line = next(found for found in lines if found.id == request.line_id)
    # Not appeasable: cancelled (refused here), or nothing left (refused with the maximum below).
    if not appeasable(line) and line.status is LineStatus.CANCELLED:
        raise LineNotEligible(
            f"Line {line.number} is cancelled: it cannot be appeased.",
            field=LINE,
            line_id=line.id,
            status=line.status.value,
        )
    left = Money.of(line.refundable_net, order.currency)
    if left < amount:
        raise AmountExceedsRefundable(
            f"At most {left} of line {line.number} can still be refunded.",
            field=AMOUNT,
            maximum_refundable=left,
            line_id=line.id,
        )
    refund = figures(line, amount.amount, order.currency, remaining_after=(left - amount).amount)
    power = await authority(session, viewer, order.currency, lock=lock)
    approval = power.needs_approval(amount)
    note = power.explain(approval) if approval else ""
    return AppeasementPlan(order, line, amount, reason, comment, refund, approval, note, lines)


async def preview_appeasement(
    session: AsyncSession, viewer: Viewer, request: AppeasementRequest
) -> AppeasementPlan:
    """The appeasement's checks and refund figures, writing nothing (``dryRun``)."""
    return await _plan(session, viewer, request, lock=False)


async def create_appeasement(
    session: AsyncSession, viewer: Viewer, request: AppeasementRequest
) -> Outcome:
    """Appease the line: action and refund REQUESTED, history, credit note queued; above the
    viewer's limit, action AWAITING_APPROVAL and refund RESERVED, nothing queued."""
    plan = await _plan(session, viewer, request, lock=True)
    order, line = plan.order, plan.line
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
    link = whole_row(
        PostsalesActionLine, action_id=action.id, line_id=line.id, reason_code=plan.reason.code
    )
    # The guarded draw is what makes the ledger safe; the check in _plan only words the error.
    # The action's line is added with the refund: one flush writes both.
    refund = await ledger.draw(
        session,
        line,
        plan.amount.amount,
        currency=order.currency,
        kind=RefundKind.APPEASEMENT,
        order_id=order.id,
        action_id=action.id,
        status=RefundStatus.RESERVED if waits else RefundStatus.REQUESTED,
        field=AMOUNT,
        seen=line.refundable_net,
        with_it=[link],
    )
    what = f"Appeasement of {plan.amount} on line {line.number} ({plan.reason.label})"
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
            "line": line.number,
            "amount": Money.of(refund.net, order.currency).figure,
            "tax": Money.of(refund.tax, order.currency).figure,
            "gross": Money.of(refund.gross, order.currency).figure,
            "currency": order.currency,
            "reason": plan.reason.code,
            "comment": plan.comment,
            "refundableAfter": Money.of(line.refundable_net, order.currency).figure,
            **({"approvalReason": plan.approval.value} if plan.approval else {}),
        },
    )
    if not waits:
        queue_credit_note(session, order, refund, line)
    return Outcome(
        order_id=order.id,
        action_id=action.id,
        written=Written(
            order=order,
            action=action,
            action_lines=((link, line),),
            refunds=((refund, line),),
            lines=plan.lines,
        ),
    )


async def cancel_appeasement(
    session: AsyncSession, viewer: Viewer, *, action_id: int, expected_version: int | None = None
) -> Outcome:
    """Cancel an appeasement not yet RELEASED: its net goes back to the line's remaining net."""
    order, action = await locked_action(
        session, viewer, action_id, ActionKind.APPEASEMENT, expected_version, ACTION
    )
    # Locked, as the payment system's release locks them first: a release that started
    # before is waited for (and seen), one that starts after waits for this transaction
    # and finds the refund cancelled. Locking the refund only at its own UPDATE, after the
    # action's, took the two locks in the opposite order: a deadlock on PostgreSQL.
    refunds = list(
        await session.execute(
            select(Refund, Line)
            .outerjoin(Line, Line.id == Refund.line_id)
            .where(Refund.action_id == action.id)
            .with_for_update(of=Refund)
            .execution_options(populate_existing=True)
        )
    )
    released = any(r.status is RefundStatus.RELEASED for r, _ in refunds)
    status = ActionStatus.RELEASED if released else action.status
    if status not in CANCELLABLE:
        raise IllegalTransition(
            f"This appeasement is {status.value}: it can no longer be cancelled.",
            field=ACTION,
            status=status.value,
        )
    # A guarded transition: of two concurrent cancellations exactly one gets here.
    result = await session.execute(
        update(PostsalesAction)
        .where(PostsalesAction.id == action.id, PostsalesAction.status.in_(CANCELLABLE))
        .values(status=ActionStatus.CANCELLED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        await session.refresh(action)
        raise IllegalTransition(
            f"This appeasement is {action.status.value}: it can no longer be cancelled.",
            field=ACTION,
            status=action.status.value,
        )
    await session.refresh(action)
    given_back = Money.zero(order.currency)
    numbers = []
    for refund, line in refunds:
        if line is not None:  # a shipping appeasement's refund has no line
            numbers.append(line.number)
        # A FAILED refund already went back to the line (resolvers.payments).
        if refund.status in (RefundStatus.CANCELLED, RefundStatus.FAILED):
            continue
        # A reservation (awaiting approval) never reached the payment system.
        sent = refund.status is not RefundStatus.RESERVED
        await ledger.give_back(session, refund)
        given_back += Money.of(refund.net, order.currency)
        if sent:
            queue_credit_note_cancelled(session, order, refund, line)
    lines = ", ".join(str(n) for n in sorted(set(numbers)))
    on = f"line {lines}" if lines else "the shipping charge"
    add_history(
        session,
        order.id,
        HistoryKind.APPEASEMENT,
        f"Appeasement of {Money.of(action.amount, order.currency) if action.amount else given_back}"
        f" on {on} cancelled by {viewer.display_name}",
        viewer=viewer,
        details={
            "actionId": action.id,
            "refundIds": [r.id for r, _ in refunds],
            "lines": sorted(set(numbers)),
            "amount": given_back.figure,
            "currency": order.currency,
        },
    )
    return Outcome(order_id=order.id, action_id=action.id)
