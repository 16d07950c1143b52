"""What the ``csdesk`` command does with no viewer: whoever runs it on the server is the
operator, trusted with every role. It creates the first administrator of an empty database,
and it is the only way to grant INTEGRATION (the API never does, ``resolvers.admin.grants``):
the integration role and its users are made here, idempotently."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Role, User
from models.enums import Permission, StoreAccess
from resolvers.admin.fields import check_text
from resolvers.admin.grants import permission_list
from resolvers.admin.roles import flush_unique, role_exists
from resolvers.admin.users import add_user
from resolvers.errors import NotAllowed, NotFound

ADMIN_ROLE_NAME = "Administrator"
# Every permission but INTEGRATION, which is for machine clients only.
ADMIN_PERMISSIONS = tuple(p for p in Permission if p is not Permission.INTEGRATION)
INTEGRATION_ROLE_NAME = "Integration"
# Report events (INTEGRATION) and read the orders they concern (ORDER_VIEW), in every store:
# the payment system and the warehouse serve them all.
INTEGRATION_PERMISSIONS = (Permission.INTEGRATION, Permission.ORDER_VIEW)


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


def _holds_integration(role: Role) -> bool:
    return Permission.INTEGRATION.value in role.permissions


async def ensure_integration_role(
    session: AsyncSession, name: str = INTEGRATION_ROLE_NAME
) -> tuple[Role, bool]:
    """The integration role called ``name``, created (level 3, INTEGRATION and ORDER_VIEW, ALL
    stores) if missing; returns it and whether it was created. A role of that name without
    INTEGRATION is refused rather than changed: its users would gain INTEGRATION unawares."""
    name = check_text(name, "A role name", 64, ["role"])
    role = await session.scalar(select(Role).where(Role.name == name))
    if role is not None:
        if not _holds_integration(role):
            raise NotAllowed(
                f"A role named {name!r} exists without the INTEGRATION permission; "
                "choose another name.",
                field=["role"],
            )
        return role, False
    role = Role(
        name=name,
        level=3,
        permissions=permission_list(INTEGRATION_PERMISSIONS),
        store_access=StoreAccess.ALL,
    )
    session.add(role)
    await flush_unique(session, role_exists(name))
    return role, True


async def ensure_integration_user(
    session: AsyncSession, *, username: str, display_name: str, role: Role, time_zone: str
) -> tuple[User, bool]:
    """The machine user ``username`` holding ``role`` (which holds INTEGRATION), created if
    missing, with a random password nobody knows: it signs in with API tokens only. Returns it
    and whether it was created; an existing user is left as it is, unless its role lacks
    INTEGRATION (a person's account is never turned into a machine's)."""
    existing = (
        await session.execute(
            select(User, Role)
            .join(Role, Role.id == User.role_id)
            .where(User.username == username.strip())
        )
    ).first()
    if existing is not None:
        user, held = existing
        if not _holds_integration(held):
            raise NotAllowed(
                f"The user {user.username!r} exists with the role {held.name!r}, which lacks "
                "INTEGRATION; choose another username.",
                field=["username"],
            )
        return user, False
    user = await add_user(
        session,
        username=username,
        display_name=display_name,
        role_id=role.id,
        time_zone=time_zone,
        password=secrets.token_urlsafe(32),
    )
    return user, True
