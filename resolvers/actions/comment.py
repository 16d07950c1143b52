"""Order comments: free text stored verbatim, with author and time, in the history; each of a
kind (the guide's communications with the customer, complaints, ticket notes, tracking
information, or other) and, optionally, the reference of the external ticket it belongs to."""

from __future__ import annotations

import enum

from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models.enums import HistoryKind
from resolvers.actions.common import check_comment, lock_order
from resolvers.errors import ValidationFailed
from resolvers.idempotency import Outcome
from resolvers.journal import add_history

MAX_COMMENT = 2000
MAX_TICKET = 64


class CommentKind(enum.StrEnum):
    """What a comment records (the guide: "communications between customer and CS agent,
    requests or complaints, annotations related to a ticket, tracking information, and
    other")."""

    COMMUNICATION = "COMMUNICATION"
    COMPLAINT = "COMPLAINT"
    TICKET_NOTE = "TICKET_NOTE"
    TRACKING_INFORMATION = "TRACKING_INFORMATION"
    OTHER = "OTHER"


def check_ticket(reference: str | None) -> str | None:
    """The ticket reference trimmed (None when blank); 1–64 characters."""
    value = (reference or "").strip()
    if not value:
        return None
    if len(value) > MAX_TICKET:
        raise ValidationFailed(
            f"ticketReference has at most {MAX_TICKET} characters.",
            field=["input", "ticketReference"],
        )
    return value


async def add_comment(
    session: AsyncSession,
    viewer: Viewer,
    *,
    order_id: int,
    text: str,
    kind: CommentKind = CommentKind.OTHER,
    ticket_reference: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Append a comment to the order's history (1–2,000 characters, kept as typed)."""
    comment = check_comment(text, required=True, limit=MAX_COMMENT, field=["input", "text"])
    assert comment is not None
    ticket = check_ticket(ticket_reference)
    order = await lock_order(session, viewer, order_id, expected_version, ["input", "orderId"])
    add_history(
        session,
        order.id,
        HistoryKind.COMMENT,
        comment,
        viewer=viewer,
        details={"comment": comment, "commentKind": kind.value, "ticketReference": ticket},
    )
    return Outcome(order_id=order.id)
