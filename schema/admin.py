"""Administration types: ``Role``, and the ``roles`` and ``users`` queries."""

from __future__ import annotations

import asyncio

import strawberry

from models.enums import Permission, StoreAccess
from resolvers.admin import grants
from resolvers.admin import roles as admin_roles
from resolvers.admin import users as admin_users
from resolvers.limits import role_limits
from schema import ids
from schema.common import Money
from schema.context import Info
from schema.order import Store
from schema.user import User

StoreAccessEnum = strawberry.enum(
    StoreAccess,
    name="StoreAccess",
    description="NONE, ALL (includes stores created later) or SPECIFIC (the role's stores).",
)


@strawberry.type(
    description="What a role's users may give in appeasements of one currency without a second "
    "user's approval (APPEASEMENT_APPROVE); null: no limit."
)
class AppeasementLimit:
    currency: str
    per_action: Money | None = strawberry.field(description="The most per appeasement.")
    per_day: Money | None = strawberry.field(
        description="The most one user gives per calendar day (their time zone), counting "
        "appeasements not cancelled that needed no approval."
    )


@strawberry.type(description="A role: hierarchy level, permissions and store access.")
class Role:
    id: strawberry.ID = strawberry.field(description="Global id (type Role).")
    name: str
    level: int = strawberry.field(
        description="Hierarchy level: 1 manages every role, 2 only level-3 roles, 3 none."
    )
    permissions: list[Permission]
    store_access: StoreAccess
    stores: list[Store] = strawberry.field(
        description="The stores the role sees: every store for ALL, none for NONE."
    )
    user_count: int = strawberry.field(description="How many users hold the role.")
    appeasement_limits: list[AppeasementLimit] = strawberry.field(
        description="Limits per currency; a currency not listed is unlimited."
    )

    @classmethod
    def of(cls, view: grants.RoleView) -> Role:
        role = view.role
        return cls(
            id=ids.encode("Role", role.id),
            name=role.name,
            level=role.level,
            permissions=sorted(grants.held_permissions(role), key=list(Permission).index),
            store_access=role.store_access,
            stores=[Store.of(s) for s in view.stores],
            user_count=view.user_count,
            appeasement_limits=[
                AppeasementLimit(
                    currency=x.currency,
                    per_action=Money.of(x.per_action, x.currency)
                    if x.per_action is not None
                    else None,
                    per_day=Money.of(x.per_day, x.currency) if x.per_day is not None else None,
                )
                for x in role_limits(role)
            ],
        )


async def visible_role_views(info: Info) -> dict[int, grants.RoleView]:
    """The roles the viewer manages, by id, loaded once per request (for ``User.role``)."""
    viewer = info.context.viewer
    if viewer is None:
        return {}
    state = info.context.request.state
    cached = getattr(state, "csdesk_admin_roles", None)
    if cached is None or cached[0] != viewer:

        async def load() -> dict[int, grants.RoleView]:
            async with info.context.read() as session:
                return {v.role.id: v for v in await admin_roles.list_roles(session, viewer)}

        # A shared task: concurrent resolvers of one request wait for the same load.
        cached = (viewer, asyncio.ensure_future(load()))
        state.csdesk_admin_roles = cached
    result: dict[int, grants.RoleView] = await cached[1]
    return result


async def roles(info: Info) -> list[Role]:
    """The roles the viewer manages, by level then name."""
    assert info.context.viewer is not None
    async with info.context.read() as session:
        views = await admin_roles.list_roles(session, info.context.viewer)
    return [Role.of(v) for v in views]


async def users(info: Info) -> list[User]:
    """The users holding roles the viewer manages, by username."""
    assert info.context.viewer is not None
    async with info.context.read() as session:
        pairs = await admin_users.list_users(session, info.context.viewer)
    return [User.brief(row, role=view) for row, view in pairs]
