"""The Query root: thin fields that call resolvers."""

from __future__ import annotations

import strawberry
from strawberry import relay

from auth.permissions import login_required, requires
from models.enums import Permission
from resolvers.orders import find_order
from schema import admin, queue
from schema.admin import Role
from schema.context import Info
from schema.order import Line, Order
from schema.postsales import PostsalesAction
from schema.queue import OrderConnection, PostsalesActionConnection
from schema.user import User
from schema.viewer import Viewer

NODE_TYPES: dict[str, type[Order] | type[Line] | type[PostsalesAction]] = {
    "Order": Order,
    "Line": Line,
    "PostsalesAction": PostsalesAction,
}


async def resolve_node(info: Info, id: str) -> relay.Node | None:
    """The object a global id names, or None when it is malformed, missing or out of scope."""
    try:
        gid = relay.GlobalID.from_id(id)
    except Exception:
        return None
    node_type = NODE_TYPES.get(gid.type_name)
    if node_type is None:
        return None
    found = await node_type.resolve_nodes(info=info, node_ids=[gid.node_id])
    return next(iter(found), None)


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user.", extensions=login_required())
    def viewer(self, info: Info) -> Viewer:
        assert info.context.viewer is not None
        return Viewer.of(info.context.viewer)

    @strawberry.field(
        description="Any object by its Relay global id (Order, Line, PostsalesAction).",
        extensions=requires(Permission.ORDER_VIEW),
    )
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await resolve_node(info, id)

    orders: OrderConnection = strawberry.field(
        resolver=queue.orders, extensions=requires(Permission.ORDER_VIEW)
    )
    postsales_actions: PostsalesActionConnection = strawberry.field(
        resolver=queue.postsales_actions, extensions=requires(Permission.ORDER_VIEW)
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
        async with info.context.db.read() as session:
            found = await find_order(session, info.context.viewer, number=number)
        return Order.loaded(found, info) if found else None
