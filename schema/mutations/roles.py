"""``roleCreate`` and ``roleUpdate``: roles the viewer manages, before and after the change
(rules in resolvers.admin.grants)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from models.enums import Permission, StoreAccess
from resolvers.admin import roles as admin_roles
from resolvers.limits import Limit
from schema import ids
from schema.admin import Role
from schema.context import Info
from schema.errors import AlreadyExists, NotAllowed, NotFound, ValidationFailed


@strawberry.input(description="Appeasement limits of one currency; null: no limit.")
class AppeasementLimitInput:
    currency: str = strawberry.field(description='ISO 4217 code, e.g. "GBP".')
    per_action: Decimal | None = strawberry.field(
        default=None, description="The most per appeasement without approval (≥ 0)."
    )
    per_day: Decimal | None = strawberry.field(
        default=None, description="The most per user per day without approval (≥ 0)."
    )

    def to_domain(self) -> Limit:
        return Limit(self.currency, self.per_action, self.per_day)


LIMITS_HELP = (
    "The complete set, one per currency; a currency not listed is unlimited. At most your "
    "own role's limit in a currency where it has one."
)


@strawberry.input(description="A new role.")
class RoleCreateInput:
    name: str
    level: int = strawberry.field(description="1–3; below your own level unless you are level 1.")
    permissions: list[Permission] = strawberry.field(
        description="Only permissions your own role holds; never INTEGRATION (csdesk grants it)."
    )
    store_access: StoreAccess
    store_codes: list[str] = strawberry.field(
        default_factory=list, description='The stores of SPECIFIC access, e.g. ["UK"].'
    )
    appeasement_limits: list[AppeasementLimitInput] = strawberry.field(
        default_factory=list, description=LIMITS_HELP
    )


@strawberry.input(description="Changes to a role; omitted or null fields stay as they are.")
class RoleUpdateInput:
    role_id: strawberry.ID
    name: str | None = None
    level: int | None = None
    permissions: list[Permission] | None = strawberry.field(
        default=None,
        description="The complete new set: only permissions your own role holds, never "
        "INTEGRATION.",
    )
    store_access: StoreAccess | None = None
    store_codes: list[str] | None = strawberry.field(
        default=None, description="The complete new set of stores (SPECIFIC access)."
    )
    appeasement_limits: list[AppeasementLimitInput] | None = strawberry.field(
        default=None, description=LIMITS_HELP
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
        view = await admin_roles.create_role(
            session,
            viewer,
            name=input.name,
            level=input.level,
            permissions=input.permissions,
            store_access=input.store_access,
            store_codes=input.store_codes,
            appeasement_limits=[x.to_domain() for x in input.appeasement_limits],
        )
        await session.commit()
    return RoleCreateSuccess(role=Role.of(view))


async def role_update(info: Info, input: RoleUpdateInput) -> RoleUpdateResult:
    """Change a role; the change applies to its users' next request."""
    viewer = info.context.viewer_or_raise()
    role_id = ids.decode(input.role_id, "Role", ["input", "roleId"])
    async with info.context.db.write() as session:
        view = await admin_roles.update_role(
            session,
            viewer,
            role_id,
            name=input.name,
            level=input.level,
            permissions=input.permissions,
            store_access=input.store_access,
            store_codes=input.store_codes,
            appeasement_limits=(
                None
                if input.appeasement_limits is None
                else [x.to_domain() for x in input.appeasement_limits]
            ),
        )
        await session.commit()
    return RoleUpdateSuccess(role=Role.of(view))
