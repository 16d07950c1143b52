"""Long-lived API tokens for integration users (issued by the operator with ``csdesk``)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.sessions import issue_token
from core.db import rows_changed
from models import Role, SessionToken, User
from models.base import utcnow
from models.enums import Permission, TokenKind
from resolvers.errors import NotAllowed, NotFound


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


async def revoke_api_tokens(session: AsyncSession, username: str) -> int:
    """Revoke every open API token of ``username`` (e.g. one leaked); returns how many."""
    user_id = await session.scalar(select(User.id).where(User.username == username.strip()))
    if user_id is None:
        raise NotFound(f"No user named {username!r}.", field=["user"])
    result = await session.execute(
        update(SessionToken)
        .where(
            SessionToken.user_id == user_id,
            SessionToken.kind == TokenKind.API,
            SessionToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return rows_changed(result)
