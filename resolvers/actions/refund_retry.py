"""Sending a failed refund again (a supervisor's path out of FAILED).

When the payment system cannot release a refund, its amount goes back to the ledger and an
appeasement becomes FAILED (``resolvers.payments``). A retry draws the same net again from
the same ledger (the line's, or the order's shipping charge), as a new refund that names the
failed one (``retry_of_id``), queues a new credit note (a void again for a failed void), and
puts a FAILED appeasement back to REQUESTED. A failed refund is retried once; when its amount
was meanwhile refunded another way, the draw is refused with the amount left. The other way
out of FAILED is cancelling the appeasement (``appeasementCancel``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.money import Money
from models import Line, PostsalesAction, Refund
from models.base import utcnow
from models.enums import (
    ActionKind,
    ActionStatus,
    Destination,
    HistoryKind,
    RefundKind,
    RefundStatus,
)
from resolvers import ledger, shipping_ledger
from resolvers.actions.common import lock_order
from resolvers.actions.refunds import queue_credit_note, refund_payload
from resolvers.errors import IllegalTransition, NotFound
from resolvers.idempotency import Outcome
from resolvers.journal import add_history, enqueue

REFUND = ["input", "refundId"]


async def retry_refund(
    session: AsyncSession,
    viewer: Viewer,
    *,
    refund_id: int,
    expected_version: int | None = None,
) -> Outcome:
    """Send the FAILED refund again (the new refund names it: ``retry_of_id``)."""
    order_id = await session.scalar(select(Refund.order_id).where(Refund.id == refund_id))
    missing = NotFound(f"No refund has the id {refund_id}.", field=REFUND)
    if order_id is None:
        raise missing
    try:
        order = await lock_order(session, viewer, order_id, expected_version, REFUND)
    except NotFound:  # another store's refund: exactly as if it did not exist
        raise missing from None
    failed = await session.scalar(
        select(Refund).where(Refund.id == refund_id).execution_options(populate_existing=True)
    )
    assert failed is not None
    if failed.status is not RefundStatus.FAILED:
        raise IllegalTransition(
            f"Refund {failed.id} is {failed.status.value}: only a FAILED refund can be sent again.",
            field=REFUND,
            status=failed.status.value,
        )
    again = await session.scalar(select(Refund.id).where(Refund.retry_of_id == failed.id))
    if again is not None:
        raise IllegalTransition(
            f"Refund {failed.id} was sent again already (as refund {again}).",
            field=REFUND,
            status=failed.status.value,
        )
    line = await session.get(Line, failed.line_id) if failed.line_id is not None else None
    if line is None:
        refund = await shipping_ledger.draw(
            session, order, failed.net, action_id=failed.action_id, field=REFUND
        )
    else:
        refund = await ledger.draw(
            session,
            line,
            failed.net,
            currency=order.currency,
            kind=failed.kind,
            order_id=order.id,
            action_id=failed.action_id,
            field=REFUND,
        )
    refund.retry_of_id = failed.id
    await session.flush()
    action = await session.get(PostsalesAction, failed.action_id) if failed.action_id else None
    if (
        action is not None
        and action.kind is ActionKind.APPEASEMENT
        and action.status is ActionStatus.FAILED
    ):
        action.status = ActionStatus.REQUESTED
        action.updated_at = utcnow()
    gross = Money.of(refund.gross, order.currency)
    what = f"line {line.number}" if line is not None else "the shipping charge"
    add_history(
        session,
        order.id,
        HistoryKind.PAYMENT,
        f"Refund of {gross} for {what} sent to the payment system again by "
        f"{viewer.display_name} (refund {failed.id} had failed: {failed.failure_reason})",
        viewer=viewer,
        details={
            "refundIds": [refund.id, failed.id],
            "retryOf": failed.id,
            "actionId": failed.action_id,
            "lines": [line.number] if line is not None else [],
            "net": Money.of(refund.net, order.currency).figure,
            "tax": Money.of(refund.tax, order.currency).figure,
            "gross": gross.figure,
            "currency": order.currency,
        },
    )
    if refund.kind is RefundKind.VOID:
        payload = refund_payload(order, refund, line)
        enqueue(session, Destination.PAYMENT, "void", payload, order.id)
    else:
        queue_credit_note(session, order, refund, line)
    return Outcome(order_id=order.id, action_id=failed.action_id)
