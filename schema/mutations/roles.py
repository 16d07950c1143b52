"""``roleCreate`` and ``roleUpdate``: roles below the viewer's level, granting only what the
viewer holds (rules in resolvers.admin)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models.enums import Permission, StoreAccess
from resolvers import admin
from schema import ids
from schema.admin import Role
from schema.context import Info
from schema.errors import AlreadyExists, NotAllowed, NotFound, ValidationFailed


@strawberry.input(description="A new role.")
class RoleCreateInput:
    name: str
    level: int = strawberry.field(description="1–3; below your own level unless you are level 1.")
    permissions: list[Permission] = strawberry.field(
        description="Only permissions your own role holds."
    )
    store_access: StoreAccess
    store_codes: list[str] = strawberry.field(
        default_factory=list, description='The stores of SPECIFIC access, e.g. ["UK"].'
    )


@strawberry.input(description="Changes to a role; omitted or null fields stay as they are.")
class RoleUpdateInput:
    role_id: strawberry.ID
    name: str | None = None
    level: int | None = None
    permissions: list[Permission] | None = strawberry.field(
        default=None, description="The complete new set of permissions."
    )
    store_access: StoreAccess | None = None
    store_codes: list[str] | None = strawberry.field(
        default=None, description="The complete new set of stores (SPECIFIC access)."
    )


@strawberry.type
class RoleCreateSuccess:
    role: Role


@strawberry.type
class RoleUpdateSuccess:
    role: Role


RoleCreateResult = Annotated[
    RoleCreateSuccess | ValidationFailed | NotFound | NotAllowed | AlreadyExists,
    strawberry.union("RoleCreateResult"),
]
RoleUpdateResult = Annotated[
    RoleUpdateSuccess | ValidationFailed | NotFound | NotAllowed | AlreadyExists,
    strawberry.union("RoleUpdateResult"),
]


async def role_create(info: Info, input: RoleCreateInput) -> RoleCreateResult:
    """Create a role."""
    viewer = info.context.viewer_or_raise()
    async with info.context.db.write() as session:
        view = await admin.create_role(
            session,
            viewer,
            name=input.name,
            level=input.level,
            permissions=input.permissions,
            store_access=input.store_access,
            store_codes=input.store_codes,
        )
        await session.commit()
    return RoleCreateSuccess(role=Role.of(view))


async def role_update(info: Info, input: RoleUpdateInput) -> RoleUpdateResult:
    """Change a role; the change applies to its users' next request."""
    viewer = info.context.viewer_or_raise()
    role_id = ids.decode(input.role_id, "Role", ["input", "roleId"])
    async with info.context.db.write() as session:
        view = await admin.update_role(
            session,
            viewer,
            role_id,
            name=input.name,
            level=input.level,
            permissions=input.permissions,
            store_access=input.store_access,
            store_codes=input.store_codes,
        )
        await session.commit()
    return RoleUpdateSuccess(role=Role.of(view))
