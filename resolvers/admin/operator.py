"""What the ``csdesk`` command does with no viewer: whoever runs it on the server is the
operator, trusted with every role (the first administrator of an empty database)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Role
from models.enums import Permission, StoreAccess
from resolvers.admin.grants import permission_list
from resolvers.admin.roles import flush_unique, role_exists
from resolvers.errors import NotFound

ADMIN_ROLE_NAME = "Administrator"
# Every permission but INTEGRATION, which is for machine clients only.
ADMIN_PERMISSIONS = tuple(p for p in Permission if p is not Permission.INTEGRATION)


async def ensure_admin_role(session: AsyncSession) -> tuple[Role, bool]:
    """The "Administrator" role, created (level 1, all but INTEGRATION, ALL stores) if missing;
    returns it and whether it was created."""
    role = await session.scalar(select(Role).where(Role.name == ADMIN_ROLE_NAME))
    if role is not None:
        return role, False
    role = Role(
        name=ADMIN_ROLE_NAME,
        level=1,
        permissions=permission_list(ADMIN_PERMISSIONS),
        store_access=StoreAccess.ALL,
    )
    session.add(role)
    await flush_unique(session, role_exists(ADMIN_ROLE_NAME))
    return role, True


async def role_by_name(session: AsyncSession, name: str) -> Role:
    """The role called ``name``; NotFound lists the existing roles."""
    role = await session.scalar(select(Role).where(Role.name == name.strip()))
    if role is None:
        names = sorted(await session.scalars(select(Role.name)))
        known = ", ".join(names) if names else "none yet (see --create-admin-role)"
        raise NotFound(f"No role named {name!r}. Existing roles: {known}.", field=["role"])
    return role
