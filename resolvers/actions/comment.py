"""Order comments: free text stored verbatim, with author and time, in the history."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models.enums import HistoryKind
from resolvers.actions.common import check_comment, lock_order
from resolvers.idempotency import Outcome
from resolvers.journal import add_history

MAX_COMMENT = 2000


async def add_comment(
    session: AsyncSession,
    viewer: Viewer,
    *,
    order_id: int,
    text: str,
    expected_version: int | None = None,
) -> Outcome:
    """Append a comment to the order's history (1–2,000 characters, kept as typed)."""
    comment = check_comment(text, required=True, limit=MAX_COMMENT, field=["input", "text"])
    assert comment is not None
    order = await lock_order(session, viewer, order_id, expected_version, ["input", "orderId"])
    add_history(
        session,
        order.id,
        HistoryKind.COMMENT,
        comment,
        viewer=viewer,
        details={"comment": comment},
    )
    return Outcome(order_id=order.id)
