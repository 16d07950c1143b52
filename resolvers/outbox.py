"""The outbox as administrators see it: messages by status, destination and order, and a
dead message sent again. Delivering it is the worker's (``worker/``)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Order, OutboxMessage
from models.base import utcnow
from models.enums import Destination, OutboxStatus
from resolvers.pagination import Page, check_first, counter, decode_cursor, encode_cursor

SORT = "ID_DESC"


def _cursor(message: OutboxMessage) -> str:
    return encode_cursor(SORT, None, message.id)


async def list_messages(
    session: AsyncSession,
    *,
    status: list[OutboxStatus],
    destination: str | None,
    order_number: str | None,
    first: int,
    after: str | None,
) -> Page[OutboxMessage]:
    """Newest first, keyset on the id. A destination that does not exist matches nothing."""
    check_first(first)
    where: list[ColumnElement[bool]] = []
    if status:
        where.append(OutboxMessage.status.in_(status))
    if destination:
        wanted = destination.strip().upper()
        # The column only binds members of the enum: another name is an empty answer, as
        # it was when the column was a plain string.
        if wanted in Destination.__members__:
            where.append(OutboxMessage.destination == Destination(wanted))
        else:
            where.append(false())
    if order_number:
        where.append(
            OutboxMessage.order_id.in_(
                select(Order.id).where(Order.number == order_number.strip().upper())
            )
        )
    stmt = select(OutboxMessage).where(*where)
    if after is not None:
        _, last_id = decode_cursor(after, SORT)
        stmt = stmt.where(OutboxMessage.id < last_id)
    rows = list(await session.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(first + 1)))
    return Page(rows[:first], len(rows) > first, _cursor, counter(OutboxMessage, where))


async def retry(session: AsyncSession, message_id: int) -> OutboxMessage | None:
    """Make a DEAD (or PENDING) message due now, with its attempts reset. A worker holding the
    message's lease loses it (the lease changes): it neither delivers nor records it after."""
    message = await session.get(OutboxMessage, message_id)
    if message is None or message.status is OutboxStatus.DELIVERED:
        return message
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    return message
