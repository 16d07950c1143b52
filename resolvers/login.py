"""Signing in and out: uniform answers and timing, and a per-username, per-address lockout."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.passwords import verify_password
from auth.sessions import issue_token, load_viewer, revoke_token
from auth.viewer import Viewer
from models import LoginAttempt, User
from models.base import utcnow
from models.enums import TokenKind
from resolvers.errors import InvalidCredentials, TooManyAttempts

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)


async def recent_failures(session: AsyncSession, username: str, address: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    count = await session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.address == address,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > since,
        )
    )
    return int(count or 0)


async def login(
    session: AsyncSession, username: str, password: str, address: str
) -> tuple[str, Viewer]:
    """Check the password and open a session; returns (token, viewer).

    Unknown users, wrong passwords and inactive users get the same answer in the same time.
    After MAX_FAILURES failures for a username from one address within FAILURE_WINDOW,
    attempts are refused until the window passes. Runs in the caller's write transaction;
    failed attempts are recorded there too, so the caller commits even on failure.
    """
    username = username.strip()
    if await recent_failures(session, username, address) >= MAX_FAILURES:
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        raise TooManyAttempts(
            f"Too many failed sign-ins for this username from your address; try again in "
            f"{minutes} minutes or ask an administrator to reset the password.",
            field=["username"],
            retry_after_seconds=int(FAILURE_WINDOW.total_seconds()),
        )
    user = await session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        session.add(LoginAttempt(username=username, address=address, success=False))
        raise InvalidCredentials("Unknown username or wrong password.", field=["password"])
    session.add(LoginAttempt(username=username, address=address, success=True))
    token, token_id = await issue_token(session, user.id, TokenKind.SESSION)
    viewer = await load_viewer(session, user.id, token_id)
    return token, viewer


async def logout(session: AsyncSession, viewer: Viewer) -> None:
    if viewer.token_id is not None:
        await revoke_token(session, viewer.token_id)
