"""The Query root: thin fields that call resolvers."""

from __future__ import annotations

import strawberry
from strawberry import relay

from auth.permissions import login_required, requires
from models.enums import Permission
from resolvers.orders import find_order, visible_stores
from schema import admin, catalog, followups, ids, outbox, postsales_options, queue
from schema import settings as settings_fields
from schema.admin import Role
from schema.context import Info
from schema.mutations import configuration
from schema.order import Line, Order, Source, Store
from schema.outbox import OutboxMessage
from schema.pagination import Connection
from schema.postsales import PostsalesAction
from schema.user import User
from schema.viewer import Viewer

NODE_TYPES: dict[str, type[Order] | type[Line] | type[PostsalesAction]] = {
    "Order": Order,
    "Line": Line,
    "PostsalesAction": PostsalesAction,
}


async def resolve_node(info: Info, id: str) -> relay.Node | None:
    """The object a global id names, or None when it is malformed, missing or out of scope."""
    parsed = ids.parse(id)
    node_type = NODE_TYPES.get(parsed[0]) if parsed else None
    if parsed is None or node_type is None:
        return None
    found = await node_type.resolve_nodes(info=info, node_ids=[str(parsed[1])])
    return next(iter(found), None)


@strawberry.type
class Query:
    @strawberry.field(
        description="The stores whose orders you see (for store filters and pickers).",
        extensions=login_required(),
    )
    async def stores(self, info: Info) -> list[Store]:
        viewer = info.context.viewer_or_raise()
        async with info.context.read() as session:
            return [Store.of(r) for r in await visible_stores(session, viewer)]

    @strawberry.field(description="The signed-in user.", extensions=login_required())
    def viewer(self, info: Info) -> Viewer:
        return Viewer.of(info.context.viewer_or_raise())

    @strawberry.field(
        description="Any object by its Relay global id (Order, Line, PostsalesAction).",
        extensions=requires(Permission.ORDER_VIEW),
    )
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await resolve_node(info, id)

    orders: Connection[Order] = strawberry.field(
        resolver=queue.orders, extensions=requires(Permission.ORDER_VIEW)
    )
    outbox_messages: Connection[OutboxMessage] = strawberry.field(
        resolver=outbox.outbox_messages, extensions=requires(Permission.SETTINGS_MANAGE)
    )
    postsales_actions: Connection[PostsalesAction] = strawberry.field(
        resolver=queue.postsales_actions, extensions=requires(Permission.ORDER_VIEW)
    )
    follow_ups: Connection[followups.FollowUp] = strawberry.field(
        resolver=followups.follow_ups, extensions=requires(Permission.ORDER_VIEW)
    )
    follow_up_assignees: list[User] = strawberry.field(
        resolver=followups.follow_up_assignees, extensions=requires(Permission.COMMENT_ADD)
    )
    roles: list[Role] = strawberry.field(
        resolver=admin.roles,
        description="The roles you manage, by level then name.",
        extensions=requires(Permission.USER_MANAGE),
    )
    users: list[User] = strawberry.field(
        resolver=admin.users,
        description="The users holding roles you manage, by username.",
        extensions=requires(Permission.USER_MANAGE),
    )
    exchange_candidates: list[catalog.Sku] = strawberry.field(
        resolver=catalog.exchange_candidates,
        description="What a line can be exchanged for: the other SKUs of its style with stock "
        "in the order's store.",
        extensions=requires(Permission.ORDER_VIEW),
    )

    @strawberry.field(
        description='One order by Relay id or by public number (e.g. "100045" or "100045-E1").',
        extensions=requires(Permission.ORDER_VIEW),
    )
    async def order(
        self, info: Info, id: strawberry.ID | None = None, number: str | None = None
    ) -> Order | None:
        if id is not None:
            node = await resolve_node(info, id)
            return node if isinstance(node, Order) else None
        if number is None:
            return None
        async with info.context.read() as session:
            found = await find_order(session, info.context.viewer, number=number)
        return Order.loaded(found, info) if found else None

    postsales_reasons: list[postsales_options.Reason] = strawberry.field(
        resolver=postsales_options.postsales_reasons,
        description="The configured reasons of an action kind (appeasements, returns, "
        "cancellations, reshipments).",
        extensions=requires(Permission.ORDER_VIEW),
    )
    sources: list[Source] = strawberry.field(
        resolver=configuration.sources,
        description="Every source (warehouse or shop), by code, with its accepts-returns flag.",
        extensions=requires(Permission.ORDER_VIEW),
    )
    return_sources: list[Source] | None = strawberry.field(
        resolver=postsales_options.return_sources,
        description="Where the order's returnable lines may go back to (returnCreate returnTo).",
        extensions=requires(Permission.ORDER_VIEW),
    )
    # ORDER_VIEW, not SETTINGS_MANAGE: the return screen of every agent depends on them
    # (the Returned To column), and they hold nothing secret; changing them needs SETTINGS_MANAGE.
    settings: settings_fields.Settings = strawberry.field(
        resolver=settings_fields.settings,
        description="Runtime settings.",
        extensions=requires(Permission.ORDER_VIEW),
    )
