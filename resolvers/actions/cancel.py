"""Cancellations: the whole order or selected ORDERED lines, only while the order is in
ORDER_REVIEW (later the warehouse cancels), with a reason from the configured cancellation
list (required). Lines CANCELLED, their stock given back, a void of each line's remaining net
(+ tax) on the refund ledger (none on exchange and reshipment orders, which took no payment),
the customer told by email (the reason in their language)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.money import Money
from models import Line, Order, PostsalesAction, PostsalesActionLine, Reason
from models.enums import (
    ActionKind,
    ActionStatus,
    Destination,
    HistoryKind,
    LineStatus,
    OrderStatus,
    OrderType,
    RefundKind,
)
from resolvers import ledger, stock
from resolvers.actions.common import check_comment, lock_order, open_action
from resolvers.actions.derived import distinct_lines, not_eligible, numbers_text, order_lines
from resolvers.eligibility import cancellable, cancellable_order
from resolvers.errors import OrderStatusInvalid, ValidationFailed
from resolvers.idempotency import Outcome
from resolvers.journal import add_history, enqueue
from resolvers.reasons import ReasonKind, label_in, pick, reasons

MAX_COMMENT = 1000


async def cancel_order(
    session: AsyncSession,
    viewer: Viewer,
    *,
    order_id: int,
    line_ids: Sequence[int] | None = None,
    comment: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Cancel the given lines, or every ORDERED line when ``line_ids`` is None; the order
    is CANCELLED when no line is left."""
    paths = [["input", "lineIds", str(i)] for i in range(len(line_ids or ()))]
    ids = None if line_ids is None else distinct_lines(line_ids, ["input", "lineIds"])
    text = check_comment(comment, required=False, limit=MAX_COMMENT, field=["input", "comment"])
    why = pick(await reasons(session, ReasonKind.CANCELLATION), reason, ["input", "reason"])
    order = await lock_order(session, viewer, order_id, expected_version, ["input", "orderId"])
    if not cancellable_order(order):
        raise OrderStatusInvalid(
            f"Order {order.number} is {order.status.value}: only orders in ORDER_REVIEW can be "
            "cancelled here; later, the warehouse cancels.",
            field=["input", "orderId"],
            status=order.status.value,
        )
    everything = list(
        await session.scalars(select(Line).where(Line.order_id == order.id).order_by(Line.number))
    )
    if ids is None:
        lines = [line for line in everything if cancellable(order, line)]
        if not lines:
            raise ValidationFailed("No line of the order can be cancelled.", field=["input"])
    else:
        lines = await order_lines(session, order, ids, paths)
        for line, path in zip(lines, paths, strict=True):
            if not cancellable(order, line):
                raise not_eligible(line, path, "cannot be cancelled: only ORDERED lines can")

    action = await open_action(
        session,
        viewer,
        order,
        ActionKind.CANCELLATION,
        ActionStatus.COMPLETED,
        comment=text,
        reason_code=why.code,
    )
    voided = await _void(session, order, action, lines)
    action.amount = voided or None
    # Stock back in SKU order: concurrent cancellations never wait on each other in a cycle.
    for line in sorted(lines, key=lambda x: (x.sku_id, x.id)):
        await stock.give_back(session, order.store_id, line.sku_id)
    whole = all(line.status is LineStatus.CANCELLED for line in everything)
    _record(session, viewer, order, action, lines, whole, voided, text, why)
    await session.flush()
    return Outcome(order_id=order.id, action_id=action.id)


async def _void(
    session: AsyncSession, order: Order, action: PostsalesAction, lines: Sequence[Line]
) -> Decimal:
    """Each line CANCELLED with a void of its remaining net (+ tax) on the ledger, announced to
    the payment system; the net voided in all. Exchange and reshipment orders took no
    payment, so there is nothing to void on them."""
    voided = Decimal(0)
    paid = order.order_type is OrderType.NORMAL
    for line in lines:
        session.add(PostsalesActionLine(action_id=action.id, line_id=line.id))
        if paid and line.refundable_net > 0:
            refund = await ledger.draw(
                session,
                line,
                line.refundable_net,
                currency=order.currency,
                kind=RefundKind.VOID,
                order_id=order.id,
                action_id=action.id,
            )
            voided += refund.net
            enqueue(
                session,
                Destination.PAYMENT,
                "void",
                {
                    "refundId": refund.id,
                    "order": order.number,
                    "line": line.number,
                    "net": Money.of(refund.net, order.currency).figure,
                    "tax": Money.of(refund.tax, order.currency).figure,
                    "gross": Money.of(refund.gross, order.currency).figure,
                    "currency": refund.currency,
                    "paymentMethod": order.payment_method,
                },
                order_id=order.id,
            )
        line.status = LineStatus.CANCELLED
    return voided


def _record(
    session: AsyncSession,
    viewer: Viewer,
    order: Order,
    action: PostsalesAction,
    lines: Sequence[Line],
    whole: bool,
    voided: Decimal,
    comment: str | None,
    reason: Reason,
) -> None:
    """History (who cancelled what, and that the customer is emailed), the order's status,
    and the warehouse and customer messages."""
    numbers = sorted(line.number for line in lines)
    what = f"Order cancelled ({numbers_text(lines)})" if whole else numbers_text(lines).capitalize()
    verb = "" if whole else " cancelled"
    add_history(
        session,
        order.id,
        HistoryKind.CANCELLATION,
        f"{what}{verb} by {viewer.display_name} ({reason.label}); the customer is notified "
        "by email",
        viewer=viewer,
        details={
            "actionId": action.id,
            "reason": reason.code,
            "lines": numbers,
            "wholeOrder": whole,
            "voided": Money.of(voided, order.currency).figure,
            "currency": order.currency,
            "comment": comment,
        },
    )
    if whole:
        order.status = OrderStatus.CANCELLED
        add_history(
            session,
            order.id,
            HistoryKind.STATUS_CHANGED,
            "Status: Order review → Cancelled",
            viewer=viewer,
            details={"from": OrderStatus.ORDER_REVIEW.value, "to": OrderStatus.CANCELLED.value},
        )
    lines_payload = [
        {"number": line.number, "sku": line.sku_code, "productName": line.product_name}
        for line in lines
    ]
    enqueue(
        session,
        Destination.WAREHOUSE,
        "cancellation",
        {
            "order": order.number,
            "wholeOrder": whole,
            "lines": lines_payload,
            "reason": reason.code,
        },
        order_id=order.id,
    )
    enqueue(
        session,
        Destination.EMAIL,
        "order_cancelled",
        {
            "to": order.customer_email,
            "language": order.language,
            "order": order.number,
            "wholeOrder": whole,
            "lines": lines_payload,
            "reason": reason.code,
            "reasonLabel": label_in(reason, order.language),
        },
        order_id=order.id,
    )
