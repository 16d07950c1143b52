"""The Subscription root: live order and queue changes over WebSocket (graphql-transport-ws).

Each event is checked against the subscriber's stores as they are now (the connection's login
is read again every ``ws_recheck_seconds``), so an agent never receives an event of a store
outside their access, even after their role changed."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable

import strawberry
from graphql import GraphQLError
from sqlalchemy import select

from auth.permissions import requires
from models import Store as StoreRow
from models.enums import Permission
from resolvers import live
from resolvers.orders import find_order
from schema.context import Info
from schema.order import Order


@strawberry.type(description="An order changed (an action, comment, status, refund, follow-up).")
class OrderChangedEvent:
    number: str
    version: int = strawberry.field(description="The order's version after the change.")
    order_id: strawberry.Private[int]

    @strawberry.field(description="The order as it is now; null if you no longer see it.")
    async def order(self, info: Info) -> Order | None:
        async with info.context.db.read() as session:
            found = await find_order(session, info.context.viewer, order_id=self.order_id)
        return Order.loaded(found, info) if found else None


@strawberry.type(description="The post-sales queue changed: refetch the page you show.")
class PostsalesQueueEvent:
    order_number: str = strawberry.field(description="The order whose actions changed.")
    store_code: str
    version: int = strawberry.field(description="The order's version after the change.")


@strawberry.input(description="Which queue changes to receive.")
class PostsalesQueueEventFilter:
    store_codes: list[str] | None = strawberry.field(
        default=None, description="Only these stores (of yours); every store of yours if omitted."
    )


async def _events(
    info: Info, wants: Callable[[live.Change], bool]
) -> AsyncGenerator[live.Change, None]:
    """The changes ``wants`` accepts and the viewer (as they are now) sees, until the hub
    ends the subscription."""
    ctx = info.context
    async with live.hub_for(ctx.db.engine.url).subscribe(wants) as queue:
        with ctx.live.running():
            while (change := await queue.get()) is not None:
                viewer = ctx.viewer
                if viewer is not None and viewer.sees_store(change.store_id):
                    yield change


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Changes of one order (number as shown, e.g. 100045 or 100045-E1), each "
        "with the order's new version: reload it before your next change.",
        extensions=requires(Permission.ORDER_VIEW),
    )
    async def order_changed(self, info: Info, number: str) -> AsyncGenerator[OrderChangedEvent]:
        async with info.context.db.read() as session:
            found = await find_order(session, info.context.viewer, number=number)
        if found is None:
            raise GraphQLError(f"No order {number!r}.", extensions={"code": "NOT_FOUND"})
        order_id = found[0].id
        async for change in _events(info, lambda c: c.order_id == order_id):
            yield OrderChangedEvent(
                number=change.number, version=change.version, order_id=change.order_id
            )

    @strawberry.subscription(
        description="Changes of post-sales actions (created, approved, cancelled, refunded) "
        "in your stores: refetch the queue page you show.",
        extensions=requires(Permission.ORDER_VIEW),
    )
    async def postsales_queue_changed(
        self, info: Info, filter: PostsalesQueueEventFilter | None = None
    ) -> AsyncGenerator[PostsalesQueueEvent]:
        codes = [c.strip().upper() for c in (filter.store_codes if filter else None) or []]
        wanted: set[int] | None = None
        if codes:
            async with info.context.db.read() as session:
                wanted = set(
                    await session.scalars(select(StoreRow.id).where(StoreRow.code.in_(codes)))
                )
        async for change in _events(
            info, lambda c: c.queue and (wanted is None or c.store_id in wanted)
        ):
            yield PostsalesQueueEvent(
                order_number=change.number, store_code=change.store_code, version=change.version
            )
