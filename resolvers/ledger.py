"""The refund ledger: every line's remaining refundable net, drawn on by appeasements, return
refunds and cancellation voids, never below zero whatever the concurrency.

Every change is one guarded statement, a compare-and-set: ``UPDATE line SET refundable_net =
:new WHERE id = :id AND refundable_net = :seen``, where ``:new`` is computed in Decimal from the
``:seen`` value just read (and is refused when negative). A row count of 0 means another
transaction changed the line in between: read again and retry (or refuse when too little is
left). On PostgreSQL the UPDATE waits for a concurrent writer of the row and re-checks the
condition on the committed value; on SQLite writers run one at a time.

Why not ``SET refundable_net = refundable_net - :net``: SQLite has no decimal type and stores
these columns as binary floats, so arithmetic in SQL drifts (0.30 − 0.10 − 0.10 − 0.10 is not
0 there) and breaks the CHECK constraints. Values computed in Decimal and bound whole are exact
on both engines. For the same reason a refund's gross is computed by the database as
``net + tax``, exactly as its CHECK (gross = net + tax) computes it. The database's CHECK
(refundable_net >= 0) is the last line of defence.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import cast

from sqlalchemy import Numeric, Table, bindparam, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from core.db import rows_changed
from core.money import Money, quantize, tax_for
from models import Line, Refund
from models.base import MONEY, utcnow, whole_row
from models.enums import RefundKind, RefundStatus
from resolvers.errors import AmountExceedsRefundable

# Compare-and-set rounds before giving up; each failed round means another writer committed a
# change of the same line, which the order lock makes rare.
MAX_ROUNDS = 50
SAME = Decimal("0.00005")

# Built once: every refund runs them.
_REMAINING = (
    select(Line.refundable_net)
    .where(Line.id == bindparam("line_id"))
    .execution_options(populate_existing=True)
)
# On the table, not the mapped class: the ORM's bulk UPDATE path adds nothing here (the
# caller sets the line's value itself) but its cost.
_LINES = cast(Table, Line.__table__)
_COMPARE_AND_SET = (
    update(_LINES)
    .where(
        _LINES.c.id == bindparam("line_id"),
        # Typed as a plain NUMERIC: bound as the column's NUMERIC(18, 4), PostgreSQL would
        # round the tolerance away.
        func.abs(_LINES.c.refundable_net - bindparam("seen", type_=MONEY))
        < literal(SAME, Numeric()),
    )
    .values(refundable_net=bindparam("new_net", type_=MONEY))
)


async def remaining(session: AsyncSession, line_id: int) -> Decimal:
    """The line's remaining refundable net as committed now."""
    value = await session.scalar(_REMAINING, {"line_id": line_id})
    return Decimal(value if value is not None else 0)


async def _compare_and_set(
    session: AsyncSession, line_id: int, seen: Decimal, new: Decimal
) -> bool:
    """Set the line's remaining net to ``new`` if it is still ``seen``. "Still" allows half of
    the column's last digit either way: values differ by at least 0.0001, and SQLite's floats
    are a few ulps off at most."""
    result = await session.execute(
        _COMPARE_AND_SET, {"line_id": line_id, "seen": seen, "new_net": new}
    )
    return rows_changed(result) == 1


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
    seen: Decimal | None = None,
    with_it: Sequence[object] = (),
) -> Refund:
    """Take ``net`` from the line's remaining net and record the refund (net, tax at the
    line's rate rounded half-even, gross). AmountExceedsRefundable when less is left.

    ``seen``: the remaining net the caller has just read in this transaction (an action's
    checks read the line after locking its order); the first round tries it without a read
    of its own. A stale value only fails the compare-and-set, and a refusal always comes
    from a value read by the round that refuses. ``with_it``: rows of the caller's to add
    with the refund, written by the same flush (each flush is a unit of work's overhead)."""
    net = quantize(net, currency)
    for _round in range(MAX_ROUNDS):
        left = seen if seen is not None and seen >= net else await remaining(session, line.id)
        seen = None
        if left < net:
            most = Money.of(left, currency)
            raise AmountExceedsRefundable(
                f"At most {most} of line {line.number} can still be refunded.",
                field=field,
                maximum_refundable=most,
                line_id=line.id,
            )
        if await _compare_and_set(session, line.id, left, left - net):
            # What the UPDATE wrote, exactly (bound whole): no need to read it back.
            set_committed_value(line, "refundable_net", left - net)
            break
    else:  # every round lost to another writer (tests/test_ledger_interleavings.py)
        raise RuntimeError(f"line {line.id}: the ledger stayed contended; try again")
    tax = tax_for(net, line.tax_rate, currency)
    refund = whole_row(
        Refund,
        order_id=order_id,
        line_id=line.id,
        action_id=action_id,
        kind=kind,
        status=status,
        net=net,
        tax=tax,
        # Summed by the database, the way the CHECK constraint sums it (see the docstring).
        gross=literal(net, MONEY) + literal(tax, MONEY),
        currency=currency,
    )
    session.add(refund)
    session.add_all(with_it)
    await session.flush()
    # The database stored its own sum; in Decimal it is net + tax exactly, which is what the
    # rest of this transaction reads (no SELECT to fetch it back).
    set_committed_value(refund, "gross", net + tax)
    return refund


async def give_back(session: AsyncSession, refund: Refund) -> None:
    """Cancel ``refund`` and return its net to the line's remaining net (a shipping refund's,
    which has no line, to the order's refundable shipping)."""
    if refund.line_id is None:
        from resolvers import shipping_ledger  # it builds on this module

        await shipping_ledger.give_back(session, refund)
        return
    for _round in range(MAX_ROUNDS):
        left = await remaining(session, refund.line_id)
        if await _compare_and_set(session, refund.line_id, left, left + refund.net):
            break
    else:  # every round lost to another writer (tests/test_ledger_interleavings.py)
        raise RuntimeError(f"line {refund.line_id}: the ledger stayed contended; try again")
    refund.status = RefundStatus.CANCELLED
    refund.updated_at = utcnow()
    await session.flush()
