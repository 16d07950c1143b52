"""What the warehouse reports: a returned item received, which approves its return."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Line, Order, PostsalesAction, PostsalesActionLine, Source
from models.enums import ActionKind, ActionStatus, HistoryKind
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
) -> Outcome:
    """Approve the open return(s) holding these lines of the order: the refund request is
    queued, except for the no-refund returns of exchanges, which simply close."""
    if not line_numbers:
        raise ValidationFailed("lineNumbers must list at least one line.", field=["input"])
    order = await session.scalar(select(Order).where(Order.number == order_number.strip()))
    if order is None or not viewer.sees_store(order.store_id):
        raise NotFound(f"No order {order_number!r}.", field=["input", "orderNumber"])
    source = await session.scalar(select(Source).where(Source.code == source_code.strip()))
    if source is None:
        raise NotFound(f"No source {source_code!r}.", field=["input", "source"])
    rows = list(
        await session.execute(
            select(PostsalesAction.id, Line.number)
            .join(PostsalesActionLine, PostsalesActionLine.action_id == PostsalesAction.id)
            .join(Line, Line.id == PostsalesActionLine.line_id)
            .where(
                PostsalesAction.order_id == order.id,
                PostsalesAction.kind == ActionKind.RETURN,
                PostsalesAction.status == ActionStatus.REQUESTED,
                Line.number.in_(line_numbers),
            )
        )
    )
    found = {number for _, number in rows}
    missing = sorted(set(line_numbers) - found)
    if missing:
        raise NotFound(
            f"Order {order.number} has no open return for line(s) {', '.join(map(str, missing))}.",
            field=["input", "lineNumbers"],
        )
    add_history(
        session,
        order.id,
        HistoryKind.WAREHOUSE,
        f"Warehouse {source.code} received line(s) {', '.join(map(str, sorted(found)))} "
        f"on {received_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        viewer=viewer,
        details={
            "lines": sorted(found),
            "source": source.code,
            "receivedAt": received_at.isoformat(),
        },
    )
    outcome = None
    for action_id in sorted({action_id for action_id, _ in rows}):
        outcome = await approve_return(session, viewer, action_id=action_id)
    assert outcome is not None
    return outcome
