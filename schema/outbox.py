"""The outbox for administrators: ``outboxMessages`` and ``outboxMessageRetry``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from models import OutboxMessage as MessageRow
from models.enums import OutboxStatus
from resolvers.errors import NotFound as Missing
from resolvers.outbox import list_messages, retry
from schema import ids
from schema.context import Info
from schema.errors import NotFound
from schema.pagination import Connection

OutboxStatusEnum = strawberry.enum(OutboxStatus, name="OutboxStatus")


@strawberry.type(description="A message to the customer, the payment system or the warehouse.")
class OutboxMessage:
    id: strawberry.ID
    destination: str = strawberry.field(description="EMAIL, PAYMENT, WAREHOUSE or SIMULATOR.")
    topic: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    payload: JSON
    order_number: str | None

    @classmethod
    def of(cls, row: MessageRow, info: Info, order_number: str | None) -> OutboxMessage:
        local = info.context.local
        return cls(
            id=ids.encode("OutboxMessage", row.id),
            destination=row.destination,
            topic=row.topic,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=local(row.next_attempt_at),
            last_error=row.last_error,
            created_at=local(row.created_at),
            delivered_at=local(row.delivered_at) if row.delivered_at else None,
            # JSON is Strawberry's scalar marker, not a type mypy can check a dict against.
            payload=row.payload,  # type: ignore[arg-type]
            order_number=order_number,
        )


@strawberry.input
class OutboxMessageFilter:
    status: list[OutboxStatus] | None = None
    destination: str | None = None
    order_number: str | None = None


async def _numbers(info: Info, rows: list[MessageRow]) -> dict[int, str]:
    ids = [r.order_id for r in rows if r.order_id is not None]
    orders = await info.context.loaders.order.load_many(ids)
    return {o.id: o.number for o in orders if o is not None}


async def outbox_messages(
    info: Info, filter: OutboxMessageFilter | None = None, first: int = 20, after: str | None = None
) -> Connection[OutboxMessage]:
    """Outbox messages, newest first: e.g. DEAD ones to look at and retry."""
    f = filter or OutboxMessageFilter()
    async with info.context.read() as session:
        page = await list_messages(
            session,
            status=list(f.status or []),
            destination=f.destination,
            order_number=f.order_number,
            first=first,
            after=after,
        )
    numbers = await _numbers(info, page.rows)
    return Connection.of(
        page,
        lambda row: OutboxMessage.of(row, info, numbers.get(row.order_id or 0)),
        after=after,
    )


@strawberry.input
class OutboxMessageRetryInput:
    message_id: strawberry.ID


@strawberry.type
class OutboxMessageRetrySuccess:
    outbox_message: OutboxMessage


OutboxMessageRetryResult = Annotated[
    OutboxMessageRetrySuccess | NotFound, strawberry.union("OutboxMessageRetryResult")
]


async def outbox_message_retry(
    info: Info, input: OutboxMessageRetryInput
) -> OutboxMessageRetryResult:
    """Deliver a DEAD (or still pending) message again now, with its attempts reset."""
    message_id = ids.decode(input.message_id, "OutboxMessage", ["input", "messageId"])
    async with info.context.db.write() as session:
        row = await retry(session, message_id)
        await session.commit()
    if row is None:
        raise Missing("No such outbox message.", field=["input", "messageId"])
    numbers = await _numbers(info, [row])
    return OutboxMessageRetrySuccess(
        outbox_message=OutboxMessage.of(row, info, numbers.get(row.order_id or 0))
    )
