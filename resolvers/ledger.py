"""The refund ledger: every line's remaining refundable net, drawn on by appeasements, return
refunds and cancellation voids, never below zero whatever the concurrency.

The check and the write are one guarded statement: ``UPDATE line SET refundable_net =
refundable_net - :net WHERE id = :id AND refundable_net >= :net``, and a row count of 0
means the draw was refused. On PostgreSQL the UPDATE waits for a concurrent writer of the
row and re-checks the condition on the committed value; on SQLite writers run one at a time.
The database's CHECK (refundable_net >= 0) is the last line of defence.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Line, Refund
from models.base import utcnow
from models.enums import RefundKind, RefundStatus
from resolvers.errors import AmountExceedsRefundable
from resolvers.money import tax_for


async def remaining(session: AsyncSession, line_id: int) -> Decimal:
    """The line's remaining refundable net as committed now."""
    value = await session.scalar(select(Line.refundable_net).where(Line.id == line_id))
    return Decimal(value if value is not None else 0)


async def draw(
    session: AsyncSession,
    line: Line,
    net: Decimal,
    *,
    currency: str,
    kind: RefundKind,
    order_id: int,
    action_id: int | None,
    status: RefundStatus = RefundStatus.REQUESTED,
    field: list[str] | None = None,
) -> Refund:
    """Take ``net`` from the line's remaining net and record the refund (net, tax at the
    line's rate rounded half-even, gross). AmountExceedsRefundable when less is left."""
    result = await session.execute(
        update(Line)
        .where(Line.id == line.id, Line.refundable_net >= net)
        .values(refundable_net=Line.refundable_net - net)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        left = await remaining(session, line.id)
        raise AmountExceedsRefundable(
            f"At most {left} {currency} of line {line.number} can still be refunded.",
            field=field,
            maximum_refundable=left,
            currency=currency,
            line_id=line.id,
        )
    tax = tax_for(net, line.tax_rate, currency)
    refund = Refund(
        order_id=order_id,
        line_id=line.id,
        action_id=action_id,
        kind=kind,
        status=status,
        net=net,
        tax=tax,
        gross=net + tax,
        currency=currency,
    )
    session.add(refund)
    await session.flush()
    await session.refresh(line)
    return refund


async def give_back(session: AsyncSession, refund: Refund) -> None:
    """Cancel ``refund`` and return its net to the line's remaining net."""
    await session.execute(
        update(Line)
        .where(Line.id == refund.line_id)
        .values(refundable_net=Line.refundable_net + refund.net)
        .execution_options(synchronize_session=False)
    )
    refund.status = RefundStatus.CANCELLED
    refund.updated_at = utcnow()
    await session.flush()
