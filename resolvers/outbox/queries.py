"""The outbox as administrators see it: messages by status, destination and order."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Order, OutboxMessage
from models.enums import OutboxStatus
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
    """Newest first, keyset on the id."""
    check_first(first)
    where: list[ColumnElement[bool]] = []
    if status:
        where.append(OutboxMessage.status.in_(status))
    if destination:
        where.append(OutboxMessage.destination == destination.strip().upper())
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
