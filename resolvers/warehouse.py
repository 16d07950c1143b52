"""What the warehouse reports about returns: items received, which approves their return, and
what it did with each (its disposition).

A receipt names lines of an order and the source that received them, and, per line, a
disposition: RESTOCK puts one unit of the line's SKU back into the order's store's stock, in
the same transaction; DAMAGED writes it off. A line may be received while its return is
REQUESTED (the return is approved, exactly as an agent's approval: refund requested, or the
no-refund return of an exchange closed) or after an agent approved it by hand (the receipt
and disposition are recorded; nothing is refunded twice). A line is received once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Line, Order, PostsalesAction, PostsalesActionLine, Source
from models.enums import ActionKind, ActionStatus, Disposition, HistoryKind
from resolvers import stock
from resolvers.actions.common import lock_order
from resolvers.actions.return_review import approve_return
from resolvers.errors import NotFound, ValidationFailed
from resolvers.idempotency import Outcome
from resolvers.journal import add_history


async def return_received(
    session: AsyncSession,
    viewer: Viewer,
    *,
    order_number: str,
    line_numbers: list[int],
    source_code: str,
    received_at: dt.datetime,
    dispositions: Mapping[int, Disposition] | None = None,
) -> Outcome:
    """Record the receipt of these lines of the order (and their dispositions, restocking
    RESTOCK ones), approving the requested return(s) that hold them."""
    if not line_numbers:
        raise ValidationFailed("lineNumbers must list at least one line.", field=["input"])
    if len(set(line_numbers)) != len(line_numbers):
        raise ValidationFailed("A line number is listed twice.", field=["input", "lineNumbers"])
    dispositions = dict(dispositions or {})
    stray = sorted(set(dispositions) - set(line_numbers))
    if stray:
        raise ValidationFailed(
            f"dispositions name line(s) {', '.join(map(str, stray))}, not in lineNumbers.",
            field=["input", "dispositions"],
        )
    found_order = await session.scalar(
        select(Order).where(Order.number == order_number.strip().upper())
    )
    if found_order is None or not viewer.sees_store(found_order.store_id):
        raise NotFound(f"No order {order_number!r}.", field=["input", "orderNumber"])
    source = await session.scalar(select(Source).where(Source.code == source_code.strip()))
    if source is None:
        raise NotFound(f"No source {source_code!r}.", field=["input", "source"])
    order = await lock_order(session, viewer, found_order.id, None, ["input", "orderNumber"])
    rows = list(
        await session.execute(
            select(PostsalesAction, PostsalesActionLine, Line)
            .join(PostsalesActionLine, PostsalesActionLine.action_id == PostsalesAction.id)
            .join(Line, Line.id == PostsalesActionLine.line_id)
            .where(
                PostsalesAction.order_id == order.id,
                PostsalesAction.kind == ActionKind.RETURN,
                Line.number.in_(line_numbers),
                or_(
                    PostsalesAction.status == ActionStatus.REQUESTED,
                    (PostsalesAction.status == ActionStatus.APPROVED)
                    & PostsalesActionLine.received_at.is_(None),
                ),
            )
            .execution_options(populate_existing=True)
        )
    )
    found = {line.number for _, _, line in rows}
    missing = sorted(set(line_numbers) - found)
    if missing:
        raise NotFound(
            f"Order {order.number} has no return awaiting line(s) {', '.join(map(str, missing))}.",
            field=["input", "lineNumbers"],
        )
    when = received_at.astimezone(dt.UTC)
    for _, link, line in sorted(rows, key=lambda r: (r[2].sku_id, r[2].id)):
        link.received_at = when
        link.disposition = dispositions.get(line.number)
        if link.disposition is Disposition.RESTOCK:
            await stock.give_back(session, order.store_id, line.sku_id)
    numbers = ", ".join(map(str, sorted(found)))
    restocked = sorted(n for n, d in dispositions.items() if d is Disposition.RESTOCK)
    damaged = sorted(n for n, d in dispositions.items() if d is Disposition.DAMAGED)
    notes = [
        f"{label} {', '.join(map(str, nums))}"
        for label, nums in (("restocked", restocked), ("damaged", damaged))
        if nums
    ]
    add_history(
        session,
        order.id,
        HistoryKind.WAREHOUSE,
        f"Return received at {source.code}: line(s) {numbers} "
        f"on {when:%Y-%m-%d %H:%M} UTC" + (f" ({'; '.join(notes)})" if notes else ""),
        viewer=viewer,
        details={
            "lines": sorted(found),
            "source": source.code,
            "receivedAt": when.isoformat(),
            "dispositions": {str(n): d.value for n, d in sorted(dispositions.items())},
        },
    )
    await session.flush()
    outcome = Outcome(order_id=order.id, action_id=rows[0][0].id)
    for action_id in sorted({a.id for a, _, _ in rows if a.status is ActionStatus.REQUESTED}):
        outcome = await approve_return(session, viewer, action_id=action_id)
    return outcome


def received_request(
    order_number: str,
    line_numbers: Sequence[int],
    source: str,
    received_at: dt.datetime,
    dispositions: Mapping[int, Disposition] | None,
) -> dict[str, Any]:
    """What a receipt's idempotency digest compares (the API and the events command alike)."""
    request: dict[str, Any] = {
        "orderNumber": order_number,
        "lineNumbers": sorted(line_numbers),
        "source": source,
        "receivedAt": received_at.isoformat(),
    }
    if dispositions:  # absent from the digest when absent: replays of older events match
        request["dispositions"] = {str(n): d.value for n, d in sorted(dispositions.items())}
    return request
