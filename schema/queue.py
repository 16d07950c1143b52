"""The order queue: ``orders(filter, first, after, orderBy)`` as a Relay connection."""

from __future__ import annotations

import dataclasses
import datetime as dt

import strawberry

from models.enums import ActionKind, ActionStatus, OrderStatus, OrderType
from resolvers import postsales_queue, search
from schema import prefetch
from schema.context import Info
from schema.order import Order
from schema.pagination import Connection
from schema.postsales import PostsalesAction, service_targets

OrderSortEnum = strawberry.enum(search.OrderSort, name="OrderSort")
AppeasementStatusEnum = strawberry.enum(search.AppeasementStatus, name="AppeasementStatus")
ReturnStatusEnum = strawberry.enum(search.ReturnStatus, name="ReturnStatus")


@strawberry.input(description="Search terms of the queue, combined with AND; empty ones ignored.")
class OrderFilter:
    reference: str | None = strawberry.field(
        default=None, description="Client order reference or order number; a prefix matches."
    )
    customer_name: str | None = strawberry.field(
        default=None,
        description="Every word must start a word of the customer, billing or shipping name; "
        "any order, case and accents ignored.",
    )
    postal_code: str | None = strawberry.field(
        default=None,
        description="Billing or shipping ZIP (or its start); case, spaces and dashes ignored.",
    )
    shipping_address: str | None = strawberry.field(
        default=None, description="Text in the shipping street, city or region (3+ chars)."
    )
    billing_address: str | None = strawberry.field(
        default=None, description="Text in the billing street, city or region (3+ chars)."
    )
    email: str | None = strawberry.field(
        default=None, description="The whole address or its start, case ignored."
    )
    telephone: str | None = strawberry.field(
        default=None,
        description="Any format; compared on the national number of the customer's phone and "
        "the billing and shipping addresses' phones.",
    )
    customer_id: str | None = strawberry.field(
        default=None,
        description="The storefront's customer id (Order.customer.id), exactly: the customer's "
        "orders, their exchanges and reshipments.",
    )
    created_from: dt.date | None = strawberry.field(
        default=None, description="First purchase day, inclusive, in the viewer's time zone."
    )
    created_to: dt.date | None = strawberry.field(
        default=None, description="Last purchase day, inclusive, in the viewer's time zone."
    )
    appeasement_status: search.AppeasementStatus | None = strawberry.field(
        default=None, description="Orders with at least one appeasement in this status."
    )
    return_status: search.ReturnStatus | None = strawberry.field(
        default=None, description="Orders with at least one return in this status."
    )
    order_type: OrderType | None = None
    status: list[OrderStatus] | None = None
    store_codes: list[str] | None = None

    def to_domain(self) -> search.OrderFilter:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(search.OrderFilter)}
        values["status"] = list(self.status or [])
        values["store_codes"] = list(self.store_codes or [])
        return search.OrderFilter(**values)


async def orders(
    info: Info,
    filter: OrderFilter | None = None,
    first: int = 20,
    after: str | None = None,
    order_by: search.OrderSort = search.OrderSort.PURCHASED_AT_DESC,
) -> Connection[Order]:
    """The order queue, newest purchase first by default; `first` from 1 to 100."""
    ctx = info.context
    # The page, its count and its relations (prefetch fills the loaders in this session).
    async with ctx.read() as session:
        page = await search.search_orders(
            session,
            ctx.viewer_or_raise(),
            (filter or OrderFilter()).to_domain(),
            first=first,
            after=after,
            sort=order_by,
            zone=ctx.zone,
        )
        for order, store in page.rows:
            ctx.loaders.store.prime(store.id, store)
            ctx.loaders.order.prime(order.id, order)
        await prefetch.orders(info, session, (order for order, _ in page.rows))
    return Connection.of(page, lambda row: Order.from_row(row[0], info), after=after)


@strawberry.input(description="Filters of the post-sales queue, combined with AND.")
class PostsalesActionFilter:
    kind: ActionKind | None = None
    status: list[ActionStatus] | None = None
    store_codes: list[str] | None = None
    breached: bool | None = strawberry.field(
        default=None,
        description="True: only actions past their service target (`breached`); false: only "
        "the others.",
    )
    due_before: dt.datetime | None = strawberry.field(
        default=None,
        description="Only actions waiting under a service target and due before this instant "
        "(an ISO 8601 date-time with its offset).",
    )


async def postsales_actions(
    info: Info,
    filter: PostsalesActionFilter | None = None,
    first: int = 20,
    after: str | None = None,
) -> Connection[PostsalesAction]:
    """The post-sales queue, oldest first: e.g. every return REQUESTED awaiting approval, or
    every action past its service target."""
    ctx = info.context
    f = filter or PostsalesActionFilter()
    domain = postsales_queue.ActionFilter(
        kind=f.kind,
        status=list(f.status or []),
        store_codes=list(f.store_codes or []),
        breached=f.breached,
        due_before=f.due_before,
    )
    targets = await service_targets(info) if f.breached is not None or f.due_before else None
    async with ctx.read() as session:
        page = await postsales_queue.search_actions(
            session, ctx.viewer_or_raise(), domain, first=first, after=after, targets=targets
        )
    return Connection.of(page, lambda row: PostsalesAction.from_row(row, info), after=after)
