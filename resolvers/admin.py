"""Administration of roles and users under the role hierarchy.

A level-L viewer sees and manages the roles of a level below theirs (level > L) and the users
holding them; level 1 sees and manages every role, its own level included. Nobody grants a
permission their own role lacks, nor store access beyond their own; assigning a role to a user
grants that role's permissions and stores, so the same check applies. Roles and users outside
the viewer's hierarchy behave as if they did not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import delete, func, insert, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from auth.sessions import issue_token
from auth.viewer import Viewer
from models import Role, SessionToken, Store, User, role_stores
from models.base import utcnow
from models.enums import Permission, StoreAccess, TokenKind
from resolvers.errors import AlreadyExists, NotAllowed, NotFound, ValidationFailed

ADMIN_ROLE_NAME = "Administrator"
# Every permission but INTEGRATION, which is for machine clients only.
ADMIN_PERMISSIONS = tuple(p for p in Permission if p is not Permission.INTEGRATION)
MAX_PASSWORD_LENGTH = 1024
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_NOT_ZONES = {"localtime", "posixrules", "Factory"}
_ORDER = {p: i for i, p in enumerate(Permission)}


@dataclass(frozen=True)
class RoleView:
    """A role with what the admin screens show: its stores (every store for ALL), its users."""

    role: Role
    stores: list[Store]
    user_count: int


# --- hierarchy and grants -------------------------------------------------------------------


def held_permissions(role: Role) -> set[Permission]:
    """The role's permissions (names no longer known are ignored)."""
    return {Permission(p) for p in role.permissions if p in _ORDER}


def manages_level(viewer: Viewer, level: int) -> bool:
    """True when ``viewer`` sees and manages roles of ``level``."""
    return viewer.role_level == 1 or level > viewer.role_level


def _managed_roles(viewer: Viewer) -> Any:
    return true() if viewer.role_level == 1 else Role.level > viewer.role_level


def _names(permissions: Iterable[Permission]) -> str:
    return ", ".join(p.value for p in sorted(permissions, key=_ORDER.__getitem__))


def check_permission_grant(viewer: Viewer, granted: Iterable[Permission]) -> None:
    """Refuse granting any permission the viewer's own role lacks."""
    lacking = set(granted) - viewer.permissions
    if lacking:
        raise NotAllowed(
            f"You cannot grant {_names(lacking)}: your own role does not hold "
            f"{'it' if len(lacking) == 1 else 'them'}.",
            field=["input", "permissions"],
        )


def check_store_grant(
    viewer: Viewer, access: StoreAccess, stores: Iterable[Store], field: list[str]
) -> None:
    """Refuse ALL from a viewer without ALL, and any store the viewer does not see."""
    if access is StoreAccess.ALL and not viewer.all_stores:
        raise NotAllowed(
            "You cannot grant access to ALL stores: your own role sees only some stores.",
            field=field,
        )
    lacking = sorted(s.code for s in stores if not viewer.sees_store(s.id))
    if lacking:
        raise NotAllowed(
            f"You cannot grant stores your own role does not see: {', '.join(lacking)}.",
            field=field,
        )


def check_role_assignable(viewer: Viewer, view: RoleView, field: list[str]) -> None:
    """Assigning a role grants its permissions and stores: the viewer must hold them."""
    perms = held_permissions(view.role)
    lacking = perms - viewer.permissions
    if lacking:
        raise NotAllowed(
            f"You cannot assign the role {view.role.name}: it grants {_names(lacking)}, "
            "which your own role does not hold.",
            field=field,
        )
    try:
        check_store_grant(viewer, view.role.store_access, view.stores, field)
    except NotAllowed as exc:
        raise NotAllowed(
            f"You cannot assign the role {view.role.name}: it sees stores you do not.",
            field=field,
        ) from exc


# --- validation -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() - _NOT_ZONES)


def check_time_zone(value: str, field: list[str]) -> str:
    """An IANA time zone name, e.g. Europe/London."""
    zone = value.strip()
    if zone not in _zones():
        raise ValidationFailed(
            f"{value!r} is not an IANA time zone; use a name such as Europe/London.", field=field
        )
    ZoneInfo(zone)  # must load, too
    return zone


def check_password(value: str, field: list[str]) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters.", field=field
        )
    if len(value) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password may have at most {MAX_PASSWORD_LENGTH} characters.", field=field
        )
    return value


def check_username(value: str, field: list[str]) -> str:
    name = value.strip()
    if not _USERNAME.fullmatch(name):
        raise ValidationFailed(
            "A username has 1–64 letters, digits or . _ @ -, starting with a letter or digit.",
            field=field,
        )
    return name


def _text(value: str, label: str, limit: int, field: list[str]) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise ValidationFailed(f"{label} must have 1–{limit} characters.", field=field)
    return text


def _level(value: int) -> int:
    if value not in (1, 2, 3):
        raise ValidationFailed("The level is 1, 2 or 3.", field=["input", "level"])
    return value


def _permission_list(permissions: Iterable[Permission]) -> list[str]:
    return [p.value for p in sorted(set(permissions), key=_ORDER.__getitem__)]


# --- reads ----------------------------------------------------------------------------------


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
    roles = await session.scalars(select(Role).where(_managed_roles(viewer)))
    return await role_views(session, sorted(roles, key=lambda r: (r.level, r.name)))


async def list_users(session: AsyncSession, viewer: Viewer) -> list[tuple[User, RoleView]]:
    """The users holding a role the viewer manages, by username, each with their role."""
    views = {v.role.id: v for v in await list_roles(session, viewer)}
    if not views:
        return []
    users = await session.scalars(select(User).where(User.role_id.in_(views)))
    return [(u, views[u.role_id]) for u in sorted(users, key=lambda u: u.username)]


async def _managed_role(
    session: AsyncSession, viewer: Viewer, role_id: int, field: list[str]
) -> RoleView:
    role = await session.get(Role, role_id)
    if role is None or not manages_level(viewer, role.level):
        raise NotFound("No role with this id.", field=field)
    return (await role_views(session, [role]))[0]


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
        raise _role_exists(name)


def _role_exists(name: str) -> AlreadyExists:
    return AlreadyExists(f"A role named {name!r} exists already.", field=["input", "name"])


async def _flush(session: AsyncSession, error: AlreadyExists) -> None:
    """Flush; a unique violation (a concurrent insert won the race) becomes ``error``."""
    try:
        await session.flush()
    except IntegrityError:
        raise error from None


async def _set_stores(session: AsyncSession, role_id: int, stores: Iterable[Store]) -> None:
    await session.execute(delete(role_stores).where(role_stores.c.role_id == role_id))
    rows = [{"role_id": role_id, "store_id": s.id} for s in stores]
    if rows:
        await session.execute(insert(role_stores), rows)


# --- roles ----------------------------------------------------------------------------------


async def create_role(
    session: AsyncSession,
    viewer: Viewer,
    *,
    name: str,
    level: int,
    permissions: Sequence[Permission],
    store_access: StoreAccess,
    store_codes: Sequence[str] = (),
) -> RoleView:
    """Create a role the viewer will manage, granting only what the viewer holds."""
    name = _text(name, "A role name", 64, ["input", "name"])
    level = _level(level)
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
        permissions=_permission_list(permissions),
        store_access=store_access,
    )
    session.add(role)
    await _flush(session, _role_exists(name))
    await _set_stores(session, role.id, stores)
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
) -> RoleView:
    """Change a role the viewer manages; only what is given changes."""
    view = await _managed_role(session, viewer, role_id, ["input", "roleId"])
    role = view.role
    own = role.id == viewer.role_id
    if name is not None:
        name = _text(name, "A role name", 64, ["input", "name"])
        await _role_name_free(session, name, except_id=role.id)
        role.name = name
    if level is not None and _level(level) != role.level:
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
        check_permission_grant(viewer, new - old)
        role.permissions = _permission_list(new)
    if store_access is not None or store_codes is not None:
        await _update_stores(session, viewer, view, store_access, store_codes, own)
    await _flush(session, _role_exists(role.name))
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
    # Only what the role gains is a grant; narrowing is always allowed.
    if access is StoreAccess.SPECIFIC and role.store_access is StoreAccess.ALL:
        added: list[Store] = []
    else:
        added = [s for s in stores if s.id not in old_ids]
    gains_all = access is StoreAccess.ALL and role.store_access is not StoreAccess.ALL
    check_store_grant(
        viewer, access if gains_all else StoreAccess.SPECIFIC, added, ["input", "storeAccess"]
    )
    role.store_access = access
    await _set_stores(session, role.id, stores)


# --- users ----------------------------------------------------------------------------------


def _user_exists(username: str) -> AlreadyExists:
    return AlreadyExists(f"The username {username!r} is taken.", field=["input", "username"])


async def add_user(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    role_id: int,
    time_zone: str,
    password: str,
) -> User:
    """Validate and insert a user (no hierarchy check: callers do it, or are the operator)."""
    username = check_username(username, ["input", "username"])
    display_name = _text(display_name, "A display name", 120, ["input", "displayName"])
    time_zone = check_time_zone(time_zone, ["input", "timeZone"])
    check_password(password, ["input", "password"])
    if await session.scalar(select(User.id).where(User.username == username)) is not None:
        raise _user_exists(username)
    user = User(
        username=username,
        display_name=display_name,
        role_id=role_id,
        time_zone=time_zone,
        active=True,
        password_hash=hash_password(password),
    )
    session.add(user)
    await _flush(session, _user_exists(username))
    return user


async def create_user(
    session: AsyncSession,
    viewer: Viewer,
    *,
    username: str,
    display_name: str,
    role_id: int,
    time_zone: str,
    password: str,
) -> tuple[User, RoleView]:
    """Create a user holding a role the viewer manages and may assign."""
    view = await _managed_role(session, viewer, role_id, ["input", "roleId"])
    check_role_assignable(viewer, view, ["input", "roleId"])
    user = await add_user(
        session,
        username=username,
        display_name=display_name,
        role_id=view.role.id,
        time_zone=time_zone,
        password=password,
    )
    return user, (await role_views(session, [view.role]))[0]


async def update_user(
    session: AsyncSession,
    viewer: Viewer,
    user_id: int,
    *,
    display_name: str | None = None,
    role_id: int | None = None,
    time_zone: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> tuple[User, RoleView]:
    """Change a user the viewer manages. Deactivation revokes every token of the user at once;
    a password reset revokes their other sign-in sessions (API tokens stay)."""
    user = await session.get(User, user_id)
    role = await session.get(Role, user.role_id) if user else None
    if user is None or role is None or not manages_level(viewer, role.level):
        raise NotFound("No user with this id.", field=["input", "userId"])
    own = user.id == viewer.user_id
    if display_name is not None:
        user.display_name = _text(display_name, "A display name", 120, ["input", "displayName"])
    if time_zone is not None:
        user.time_zone = check_time_zone(time_zone, ["input", "timeZone"])
    if role_id is not None and role_id != user.role_id:
        if own:
            raise NotAllowed("You cannot change your own role.", field=["input", "roleId"])
        view = await _managed_role(session, viewer, role_id, ["input", "roleId"])
        check_role_assignable(viewer, view, ["input", "roleId"])
        user.role_id = role_id
    if active is not None and active != user.active:
        if own:
            raise NotAllowed("You cannot deactivate yourself.", field=["input", "active"])
        user.active = active
        if not active:
            await _revoke_tokens(session, user.id)
    if password is not None:
        user.password_hash = hash_password(check_password(password, ["input", "password"]))
        await _revoke_tokens(session, user.id, TokenKind.SESSION, keep=viewer.token_id)
    await session.flush()
    final = await session.get(Role, user.role_id)
    assert final is not None
    return user, (await role_views(session, [final]))[0]


async def _revoke_tokens(
    session: AsyncSession, user_id: int, kind: TokenKind | None = None, keep: int | None = None
) -> None:
    stmt = update(SessionToken).where(
        SessionToken.user_id == user_id, SessionToken.revoked_at.is_(None)
    )
    if kind is not None:
        stmt = stmt.where(SessionToken.kind == kind)
    if keep is not None:
        stmt = stmt.where(SessionToken.id != keep)
    await session.execute(stmt.values(revoked_at=utcnow()))


# --- operator commands (no viewer: whoever runs csdesk on the server) -----------------------


async def ensure_admin_role(session: AsyncSession) -> tuple[Role, bool]:
    """The "Administrator" role, created (level 1, all but INTEGRATION, ALL stores) if missing;
    returns it and whether it was created."""
    role = await session.scalar(select(Role).where(Role.name == ADMIN_ROLE_NAME))
    if role is not None:
        return role, False
    role = Role(
        name=ADMIN_ROLE_NAME,
        level=1,
        permissions=_permission_list(ADMIN_PERMISSIONS),
        store_access=StoreAccess.ALL,
    )
    session.add(role)
    await _flush(session, _role_exists(ADMIN_ROLE_NAME))
    return role, True


async def role_by_name(session: AsyncSession, name: str) -> Role:
    """The role called ``name``; NotFound lists the existing roles."""
    role = await session.scalar(select(Role).where(Role.name == name.strip()))
    if role is None:
        names = sorted(await session.scalars(select(Role.name)))
        known = ", ".join(names) if names else "none yet (see --create-admin-role)"
        raise NotFound(f"No role named {name!r}. Existing roles: {known}.", field=["role"])
    return role


async def create_api_token(session: AsyncSession, username: str) -> str:
    """A new long-lived API token for an active user whose role holds INTEGRATION."""
    row = (
        await session.execute(
            select(User, Role)
            .join(Role, Role.id == User.role_id)
            .where(User.username == username.strip())
        )
    ).first()
    if row is None:
        raise NotFound(f"No user named {username!r}.", field=["user"])
    user, role = row
    if not user.active:
        raise NotAllowed(f"The user {user.username!r} is deactivated.", field=["user"])
    if Permission.INTEGRATION.value not in role.permissions:
        raise NotAllowed(
            f"The user {user.username!r} has the role {role.name!r}, which lacks the "
            "INTEGRATION permission that API tokens are for.",
            field=["user"],
        )
    token, _ = await issue_token(session, user.id, TokenKind.API)
    return token
