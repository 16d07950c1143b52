"""Users: listing, creating and changing the users of roles the viewer manages (who may do
what: ``resolvers.admin.grants``)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.passwords import hash_password
from auth.viewer import Viewer
from models import Role, SessionToken, User
from models.base import utcnow
from models.enums import TokenKind
from resolvers.admin.fields import check_password, check_text, check_time_zone, check_username
from resolvers.admin.grants import RoleView
from resolvers.admin.roles import flush_unique, list_roles, managed_role, managed_view, role_views
from resolvers.errors import AlreadyExists, NotAllowed, NotFound


async def list_users(session: AsyncSession, viewer: Viewer) -> list[tuple[User, RoleView]]:
    """The users holding a role the viewer manages, by username, each with their role."""
    views = {v.role.id: v for v in await list_roles(session, viewer)}
    if not views:
        return []
    users = await session.scalars(select(User).where(User.role_id.in_(views)))
    return [(u, views[u.role_id]) for u in sorted(users, key=lambda u: u.username)]


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
    display_name = check_text(display_name, "A display name", 120, ["input", "displayName"])
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
    await flush_unique(session, _user_exists(username))
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
    """Create a user holding a role the viewer manages."""
    view = await managed_role(session, viewer, role_id, ["input", "roleId"], lock="share")
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
    """Change a user the viewer manages (any field, the password included, needs the user's
    role to be one the viewer manages, and so does a new role). Deactivation revokes every
    token of the user at once; a password reset revokes their other sign-in sessions (API
    tokens stay)."""
    user = await session.scalar(
        select(User)
        .where(User.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if user is None or await managed_view(session, viewer, user.role_id, "share") is None:
        raise NotFound("No user with this id.", field=["input", "userId"])
    own = user.id == viewer.user_id
    if display_name is not None:
        user.display_name = check_text(
            display_name, "A display name", 120, ["input", "displayName"]
        )
    if time_zone is not None:
        user.time_zone = check_time_zone(time_zone, ["input", "timeZone"])
    if role_id is not None and role_id != user.role_id:
        if own:
            raise NotAllowed("You cannot change your own role.", field=["input", "roleId"])
        await managed_role(session, viewer, role_id, ["input", "roleId"], lock="share")
        user.role_id = role_id
    if active is not None and active != user.active:
        if own:
            raise NotAllowed("You cannot deactivate yourself.", field=["input", "active"])
        user.active = active
        if not active:
            await revoke_tokens(session, user.id)
    if password is not None:
        user.password_hash = hash_password(check_password(password, ["input", "password"]))
        await revoke_tokens(session, user.id, TokenKind.SESSION, keep=viewer.token_id)
    await session.flush()
    final = await session.get(Role, user.role_id)
    assert final is not None
    return user, (await role_views(session, [final]))[0]


async def revoke_tokens(
    session: AsyncSession, user_id: int, kind: TokenKind | None = None, keep: int | None = None
) -> None:
    """Revoke the user's open tokens (of ``kind``, or all), except the token ``keep``."""
    stmt = update(SessionToken).where(
        SessionToken.user_id == user_id, SessionToken.revoked_at.is_(None)
    )
    if kind is not None:
        stmt = stmt.where(SessionToken.kind == kind)
    if keep is not None:
        stmt = stmt.where(SessionToken.id != keep)
    await session.execute(stmt.values(revoked_at=utcnow()))
