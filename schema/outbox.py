"""The outbox for administrators: ``outboxMessages`` and ``outboxMessageRetry``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from sqlalchemy import ColumnElement
from strawberry.scalars import JSON

from models import OutboxMessage as MessageRow
from models.enums import OutboxStatus
from resolvers.actions.common import decode_id
from resolvers.errors import DomainError
from resolvers.outbox import queries
from resolvers.outbox.worker import retry
from schema.context import Info
from schema.errors import NotFound, as_graphql_error, to_user_error
from schema.pagination import PageInfo

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
            id=strawberry.ID(str(strawberry.relay.GlobalID("OutboxMessage", str(row.id)))),
            destination=row.destination,
            topic=row.topic,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=local(row.next_attempt_at),
            last_error=row.last_error,
            created_at=local(row.created_at),
            delivered_at=local(row.delivered_at) if row.delivered_at else None,
            payload=row.payload,  # type: ignore[arg-type]
            order_number=order_number,
        )


@strawberry.input
class OutboxMessageFilter:
    status: list[OutboxStatus] | None = None
    destination: str | None = None
    order_number: str | None = None


@strawberry.type
class OutboxMessageEdge:
    cursor: str
    node: OutboxMessage


@strawberry.type
class OutboxMessageConnection:
    edges: list[OutboxMessageEdge]
    page_info: PageInfo
    where: strawberry.Private[list[ColumnElement[bool]]]

    @strawberry.field
    async def total_count(self, info: Info) -> int:
        async with info.context.db.read() as session:
            return await queries.count_messages(session, self.where)


async def _numbers(info: Info, rows: list[MessageRow]) -> dict[int, str]:
    ids = [r.order_id for r in rows if r.order_id is not None]
    orders = await info.context.loaders.order.load_many(ids)
    return {o.id: o.number for o in orders if o is not None}


async def outbox_messages(
    info: Info, filter: OutboxMessageFilter | None = None, first: int = 20, after: str | None = None
) -> OutboxMessageConnection:
    """Outbox messages, newest first: e.g. DEAD ones to look at and retry."""
    f = filter or OutboxMessageFilter()
    try:
        async with info.context.db.read() as session:
            page = await queries.list_messages(
                session,
                status=list(f.status or []),
                destination=f.destination,
                order_number=f.order_number,
                first=first,
                after=after,
            )
    except DomainError as exc:
        raise as_graphql_error(exc) from None
    numbers = await _numbers(info, page.rows)
    edges = [
        OutboxMessageEdge(
            cursor=str(row.id), node=OutboxMessage.of(row, info, numbers.get(row.order_id or 0))
        )
        for row in page.rows
    ]
    return OutboxMessageConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        where=page.where,
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
    try:
        message_id = decode_id(input.message_id, "OutboxMessage", ["input", "messageId"])
    except DomainError as exc:
        return to_user_error(exc)  # type: ignore[no-any-return]
    async with info.context.db.write() as session:
        row = await retry(session, message_id)
        await session.commit()
    if row is None:
        return NotFound(
            code="NOT_FOUND", message="No such outbox message.", field=["input", "messageId"]
        )
    numbers = await _numbers(info, [row])
    return OutboxMessageRetrySuccess(
        outbox_message=OutboxMessage.of(row, info, numbers.get(row.order_id or 0))
    )
