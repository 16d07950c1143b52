"""Approving and cancelling a requested return (the story of a return is in
``resolvers.actions.returns``). Approve (REQUESTED only) → APPROVED, lines RETURNED, a RETURN
refund of each line's remaining net unless the return is ``no_refund`` (exchanges), history,
credit notes, the customer emailed. Cancel (REQUESTED only) → CANCELLED, lines back to their
status before the return, history, the warehouse told. Both are guarded transitions: of two
racing steps exactly one wins; the other gets IllegalTransition.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.db import rows_changed
from core.money import Money
from models import Line, Order, PostsalesAction, PostsalesActionLine, Source
from models.base import utcnow
from models.enums import ActionKind, ActionStatus, HistoryKind, LineStatus, RefundKind
from resolvers import ledger
from resolvers.actions.common import line_numbers
from resolvers.actions.lookup import locked_action
from resolvers.actions.refunds import queue_credit_note
from resolvers.errors import IllegalTransition, LineNotEligible
from resolvers.idempotency import Outcome
from resolvers.journal import add_history, enqueue

ACTION = ["input", "actionId"]


async def _requested(
    session: AsyncSession,
    viewer: Viewer,
    action_id: int,
    expected_version: int | None,
    to: ActionStatus,
    verb: str,
) -> tuple[Order, PostsalesAction, list[Line]]:
    """Move a REQUESTED return to ``to`` with a guarded UPDATE (of two racing steps exactly one
    wins; the other gets IllegalTransition), and return its order, itself and its lines."""
    order, action = await locked_action(
        session, viewer, action_id, ActionKind.RETURN, expected_version, ACTION
    )
    result = await session.execute(
        update(PostsalesAction)
        .where(PostsalesAction.id == action.id, PostsalesAction.status == ActionStatus.REQUESTED)
        .values(status=to, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.refresh(action)
    if rows_changed(result) != 1:
        raise IllegalTransition(
            f"This return is {action.status.value}: only a requested return can be {verb}.",
            field=ACTION,
            status=action.status.value,
        )
    lines = list(
        await session.scalars(
            select(Line)
            .join(PostsalesActionLine, PostsalesActionLine.line_id == Line.id)
            .where(PostsalesActionLine.action_id == action.id)
            .order_by(Line.number)
            .execution_options(populate_existing=True)
        )
    )
    return order, action, lines


async def _set_lines(
    session: AsyncSession, lines: Sequence[Line], status_of: dict[int, LineStatus]
) -> None:
    """Move RETURN_REQUESTED lines to their new status (guarded: a line moved otherwise is an
    error and the whole step rolls back)."""
    for line in lines:
        result = await session.execute(
            update(Line)
            .where(Line.id == line.id, Line.status == LineStatus.RETURN_REQUESTED)
            .values(status=status_of[line.id], status_before_return=None)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(result) != 1:
            raise LineNotEligible(
                f"Line {line.number} is {line.status.value}, not in an open return.",
                field=ACTION,
                line_id=line.id,
                status=line.status.value,
            )
        await session.refresh(line)


async def approve_return(
    session: AsyncSession, viewer: Viewer, *, action_id: int, expected_version: int | None = None
) -> Outcome:
    """Approve a requested return: lines RETURNED, a refund of each line's remaining net."""
    order, action, lines = await _requested(
        session, viewer, action_id, expected_version, ActionStatus.APPROVED, "approved"
    )
    await _set_lines(session, lines, {line.id: LineStatus.RETURNED for line in lines})
    refunds = []
    if not action.no_refund:
        for line in lines:
            if line.refundable_net > 0:
                refund = await ledger.draw(
                    session,
                    line,
                    line.refundable_net,
                    currency=order.currency,
                    kind=RefundKind.RETURN,
                    order_id=order.id,
                    action_id=action.id,
                    field=ACTION,
                )
                queue_credit_note(session, order, refund, line)
                refunds.append((refund, line))
    net = Money.of(sum((r.net for r, _ in refunds), Decimal(0)), order.currency)
    gross = Money.of(sum((r.gross for r, _ in refunds), Decimal(0)), order.currency)
    action.amount = net.amount or None
    numbers = line_numbers(lines)
    if action.no_refund:
        outcome = "no refund (exchange)"
    elif refunds:
        outcome = f"refund of {gross} requested"
    else:
        outcome = "nothing left to refund"
    add_history(
        session,
        order.id,
        HistoryKind.RETURN,
        f"Return of line(s) {numbers} approved by {viewer.display_name}: {outcome}",
        viewer=viewer,
        details={
            "actionId": action.id,
            "lines": [line.number for line in lines],
            "noRefund": action.no_refund,
            "refunds": [
                {
                    "refundId": r.id,
                    "line": line.number,
                    "net": Money.of(r.net, order.currency).figure,
                    "tax": Money.of(r.tax, order.currency).figure,
                    "gross": Money.of(r.gross, order.currency).figure,
                }
                for r, line in refunds
            ],
            "net": net.figure,
            "gross": gross.figure,
            "currency": order.currency,
        },
    )
    enqueue(
        session,
        "EMAIL",
        "return_approved",
        {
            "to": order.customer_email,
            "customerName": order.customer_name,
            "language": order.language,
            "orderNumber": order.number,
            "actionId": action.id,
            "lines": [
                {"number": line.number, "sku": line.sku_code, "productName": line.product_name}
                for line in lines
            ],
            "refund": (
                {
                    "net": net.figure,
                    "gross": gross.figure,
                    "currency": order.currency,
                }
                if refunds
                else None
            ),
        },
        order.id,
    )
    await session.flush()
    return Outcome(order_id=order.id, action_id=action.id)


async def cancel_return(
    session: AsyncSession, viewer: Viewer, *, action_id: int, expected_version: int | None = None
) -> Outcome:
    """Cancel a requested return: lines back to their status before it."""
    order, action, lines = await _requested(
        session, viewer, action_id, expected_version, ActionStatus.CANCELLED, "cancelled"
    )
    await _set_lines(
        session,
        lines,
        {line.id: line.status_before_return or LineStatus.DELIVERED for line in lines},
    )
    source = await session.get(Source, action.return_source_id) if action.return_source_id else None
    numbers = [line.number for line in lines]
    add_history(
        session,
        order.id,
        HistoryKind.RETURN,
        f"Return of line(s) {line_numbers(lines)} cancelled by {viewer.display_name}",
        viewer=viewer,
        details={
            "actionId": action.id,
            "lines": numbers,
            "restored": {str(line.number): line.status.value for line in lines},
        },
    )
    enqueue(
        session,
        "WAREHOUSE",
        "return_cancelled",
        {
            "orderNumber": order.number,
            "actionId": action.id,
            "returnTo": source.code if source else None,
            "lines": numbers,
        },
        order.id,
    )
    return Outcome(order_id=order.id, action_id=action.id)
