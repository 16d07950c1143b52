"""The outbox as administrators see it: messages by status, destination and order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Order, OutboxMessage
from models.enums import OutboxStatus
from resolvers.errors import ValidationFailed
from resolvers.ids import db_id
from resolvers.search import check_first


@dataclass
class MessagePage:
    rows: list[OutboxMessage]
    has_next: bool
    where: list[ColumnElement[bool]]


def _after_id(after: str | None) -> int | None:
    if after is None:
        return None
    row_id = db_id(after)
    if row_id is None:
        raise ValidationFailed("after is not a cursor of this list.", field=["after"])
    return row_id


async def list_messages(
    session: AsyncSession,
    *,
    status: list[OutboxStatus],
    destination: str | None,
    order_number: str | None,
    first: int,
    after: str | None,
) -> MessagePage:
    """Newest first, keyset on the id (the cursor)."""
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
    if (last_id := _after_id(after)) is not None:
        stmt = stmt.where(OutboxMessage.id < last_id)
    rows = list(await session.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(first + 1)))
    return MessagePage(rows=rows[:first], has_next=len(rows) > first, where=where)


async def count_messages(session: AsyncSession, where: list[ColumnElement[bool]]) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    )
