"""Roles: reading them with their stores and users, creating and changing them (who may do
what: ``resolvers.admin.grants``).

Writes lock the role they check (``FOR UPDATE`` to change it, ``FOR SHARE`` to assign it or
to change one of its users) so that a concurrent change to the role cannot slip between the
check and the write on PostgreSQL; SQLite runs one writer at a time anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Role, Store, User, role_stores
from models.enums import Permission, StoreAccess
from resolvers.admin.fields import check_level, check_text
from resolvers.admin.grants import (
    RoleView,
    check_permission_grant,
    check_store_grant,
    held_permissions,
    managed_levels,
    manages,
    manages_level,
    permission_list,
)
from resolvers.errors import AlreadyExists, NotAllowed, NotFound, ValidationFailed
from resolvers.limits import Limit, set_limits

LIMITS = ["input", "appeasementLimits"]


async def role_views(session: AsyncSession, roles: Sequence[Role]) -> list[RoleView]:
    """``roles`` with their stores and user counts, in three statements whatever their number."""
    if not roles:
        return []
    ids = [r.id for r in roles]
    stores = list(await session.scalars(select(Store).order_by(Store.code)))
    links = await session.execute(
        select(role_stores.c.role_id, role_stores.c.store_id).where(role_stores.c.role_id.in_(ids))
    )
    by_role: dict[int, set[int]] = {}
    for role_id, store_id in links:
        by_role.setdefault(role_id, set()).add(store_id)
    counted = await session.execute(
        select(User.role_id, func.count()).where(User.role_id.in_(ids)).group_by(User.role_id)
    )
    counts = {role_id: n for role_id, n in counted}

    def granted(role: Role) -> list[Store]:
        if role.store_access is StoreAccess.ALL:
            return stores
        return [s for s in stores if s.id in by_role.get(role.id, set())]

    return [RoleView(r, granted(r), int(counts.get(r.id, 0))) for r in roles]


async def list_roles(session: AsyncSession, viewer: Viewer) -> list[RoleView]:
    """The roles the viewer manages, by level then name."""
    roles = await session.scalars(select(Role).where(managed_levels(viewer)))
    views = await role_views(session, sorted(roles, key=lambda r: (r.level, r.name)))
    return [v for v in views if manages(viewer, v)]


Lock = Literal["share", "update"]


async def managed_view(
    session: AsyncSession, viewer: Viewer, role_id: int, lock: Lock | None = None
) -> RoleView | None:
    """The role ``role_id`` if the viewer manages it, else None; ``lock`` locks its row."""
    stmt = select(Role).where(Role.id == role_id)
    if lock is not None:
        stmt = stmt.with_for_update(read=lock == "share")
    role = await session.scalar(stmt.execution_options(populate_existing=True))
    if role is None or not manages_level(viewer, role.level):
        return None
    view = (await role_views(session, [role]))[0]
    return view if manages(viewer, view) else None


async def managed_role(
    session: AsyncSession, viewer: Viewer, role_id: int, field: list[str], lock: Lock | None = None
) -> RoleView:
    """The role ``role_id`` if the viewer manages it; NotFound otherwise, as if missing."""
    view = await managed_view(session, viewer, role_id, lock)
    if view is None:
        raise NotFound("No role with this id.", field=field)
    return view


async def _stores_by_code(session: AsyncSession, codes: Sequence[str]) -> list[Store]:
    wanted = {c.strip().upper() for c in codes}
    found = list(await session.scalars(select(Store).where(Store.code.in_(wanted))))
    unknown = sorted(wanted - {s.code for s in found})
    if unknown:
        raise NotFound(f"No store with code {', '.join(unknown)}.", field=["input", "storeCodes"])
    return found


async def _role_name_free(session: AsyncSession, name: str, except_id: int | None = None) -> None:
    existing = await session.scalar(select(Role.id).where(Role.name == name))
    if existing is not None and existing != except_id:
        raise role_exists(name)


def role_exists(name: str) -> AlreadyExists:
    """The error for a role name that is taken."""
    return AlreadyExists(f"A role named {name!r} exists already.", field=["input", "name"])


async def flush_unique(session: AsyncSession, error: AlreadyExists) -> None:
    """Flush; a unique violation (a concurrent insert won the race) becomes ``error``."""
    try:
        await session.flush()
    except IntegrityError:
        raise error from None


async def set_stores(session: AsyncSession, role_id: int, stores: Iterable[Store]) -> None:
    """Replace the role's SPECIFIC stores."""
    await session.execute(delete(role_stores).where(role_stores.c.role_id == role_id))
    rows = [{"role_id": role_id, "store_id": s.id} for s in stores]
    if rows:
        await session.execute(insert(role_stores), rows)


async def create_role(
    session: AsyncSession,
    viewer: Viewer,
    *,
    name: str,
    level: int,
    permissions: Sequence[Permission],
    store_access: StoreAccess,
    store_codes: Sequence[str] = (),
    appeasement_limits: Sequence[Limit] = (),
) -> RoleView:
    """Create a role the viewer will manage, granting only what the viewer holds."""
    name = check_text(name, "A role name", 64, ["input", "name"])
    level = check_level(level)
    if not manages_level(viewer, level):
        raise NotAllowed(
            f"You cannot create a level-{level} role: you manage only roles below your own "
            f"level ({viewer.role_level}).",
            field=["input", "level"],
        )
    check_permission_grant(viewer, permissions)
    stores = await _store_grant(session, store_access, store_codes)
    check_store_grant(viewer, store_access, stores, ["input", "storeAccess"])
    await _role_name_free(session, name)
    role = Role(
        name=name,
        level=level,
        permissions=permission_list(permissions),
        store_access=store_access,
    )
    set_limits(viewer, role, appeasement_limits, own=False, field=LIMITS)
    session.add(role)
    await flush_unique(session, role_exists(name))
    await set_stores(session, role.id, stores)
    return (await role_views(session, [role]))[0]


async def _store_grant(
    session: AsyncSession, access: StoreAccess, codes: Sequence[str]
) -> list[Store]:
    if access is not StoreAccess.SPECIFIC:
        if codes:
            raise ValidationFailed(
                f"Store codes apply to SPECIFIC store access only, not {access.value}.",
                field=["input", "storeCodes"],
            )
        return []
    if not codes:
        raise ValidationFailed(
            "SPECIFIC store access needs at least one store code (or use NONE).",
            field=["input", "storeCodes"],
        )
    return await _stores_by_code(session, codes)


async def update_role(
    session: AsyncSession,
    viewer: Viewer,
    role_id: int,
    *,
    name: str | None = None,
    level: int | None = None,
    permissions: Sequence[Permission] | None = None,
    store_access: StoreAccess | None = None,
    store_codes: Sequence[str] | None = None,
    appeasement_limits: Sequence[Limit] | None = None,
) -> RoleView:
    """Change a role the viewer manages, into a role they still manage; only what is given
    changes. Nobody changes their own role's level, permissions, stores or limits."""
    view = await managed_role(session, viewer, role_id, ["input", "roleId"], lock="update")
    role = view.role
    own = role.id == viewer.role_id
    if name is not None:
        name = check_text(name, "A role name", 64, ["input", "name"])
        await _role_name_free(session, name, except_id=role.id)
        role.name = name
    if level is not None and check_level(level) != role.level:
        if own or not manages_level(viewer, level):
            raise NotAllowed(
                f"You cannot move a role to level {level}: you manage only roles below your "
                f"own level ({viewer.role_level}), and never your own role's level.",
                field=["input", "level"],
            )
        role.level = level
    if permissions is not None:
        old = held_permissions(role)
        new = set(permissions)
        if new != old and own:
            raise NotAllowed(
                "You cannot change the permissions of your own role.",
                field=["input", "permissions"],
            )
        check_permission_grant(viewer, new)
        role.permissions = permission_list(new)
    if store_access is not None or store_codes is not None:
        await _update_stores(session, viewer, view, store_access, store_codes, own)
    if appeasement_limits is not None:
        set_limits(viewer, role, appeasement_limits, own=own, field=LIMITS)
    await flush_unique(session, role_exists(role.name))
    return (await role_views(session, [role]))[0]


async def _update_stores(
    session: AsyncSession,
    viewer: Viewer,
    view: RoleView,
    access: StoreAccess | None,
    codes: Sequence[str] | None,
    own: bool,
) -> None:
    role = view.role
    access = access or role.store_access
    if codes is None and access is StoreAccess.SPECIFIC:
        if role.store_access is not StoreAccess.SPECIFIC:
            raise ValidationFailed(
                "SPECIFIC store access needs the store codes.", field=["input", "storeCodes"]
            )
        stores = view.stores
    else:
        stores = await _store_grant(session, access, codes or ())
    old_ids = {s.id for s in view.stores} if role.store_access is StoreAccess.SPECIFIC else set()
    if access == role.store_access and {s.id for s in stores} == old_ids:
        return
    if own:
        raise NotAllowed(
            "You cannot change the stores of your own role.", field=["input", "storeAccess"]
        )
    # The role as it will be must stay within the viewer's stores, like every role they manage.
    check_store_grant(viewer, access, stores, ["input", "storeAccess"])
    role.store_access = access
    await set_stores(session, role.id, stores)
