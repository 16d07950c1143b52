"""Session and API tokens: random, stored hashed, idle expiry, revocation, viewer lookup."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Role, SessionToken, User, role_stores
from models.base import utcnow
from models.enums import Permission, StoreAccess, TokenKind

COOKIE_NAME = "csdesk_session"
_PERMISSIONS = {p.value for p in Permission}
# last_used_at is refreshed at most this often, so reads do not write on every request.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(session: AsyncSession, user_id: int, kind: TokenKind) -> tuple[str, int]:
    """Create a token for ``user_id``; returns the token (shown once) and its row id."""
    token = new_token()
    row = SessionToken(token_hash=token_hash(token), user_id=user_id, kind=kind)
    session.add(row)
    await session.flush()
    return token, row.id


async def revoke_token(session: AsyncSession, token_id: int) -> None:
    await session.execute(
        update(SessionToken)
        .where(SessionToken.id == token_id, SessionToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _viewer_query() -> Any:
    return (
        select(User, Role, role_stores.c.store_id)
        .join(Role, Role.id == User.role_id)
        .outerjoin(role_stores, role_stores.c.role_id == Role.id)
    )


# Built once: every request signs in with one of these (building a statement costs about as
# much as running it, and a built one keeps its cache key).
_VIEWER_BY_ID = _viewer_query().where(User.id == bindparam("user_id"))
_VIEWER_BY_TOKEN = (
    _viewer_query()
    .add_columns(SessionToken)
    .join(SessionToken, SessionToken.user_id == User.id)
    .where(SessionToken.token_hash == bindparam("token_hash"))
)


def _stores(rows: list[Any]) -> frozenset[int]:
    return frozenset(r[-1] for r in rows if r[-1] is not None)


async def load_viewer(session: AsyncSession, user_id: int, token_id: int | None = None) -> Viewer:
    """The Viewer of a user, with their role's permissions and stores (one statement)."""
    rows = list(await session.execute(_VIEWER_BY_ID, {"user_id": user_id}))
    user, role = rows[0][0], rows[0][1]
    return viewer_of(user, role, _stores(rows), token_id)


def viewer_of(user: User, role: Role, store_ids: frozenset[int], token_id: int | None) -> Viewer:
    return Viewer(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        time_zone=user.time_zone,
        role_id=role.id,
        role_name=role.name,
        role_level=role.level,
        permissions=frozenset(Permission(p) for p in role.permissions if p in _PERMISSIONS),
        store_access=role.store_access,
        store_ids=store_ids if role.store_access is StoreAccess.SPECIFIC else frozenset(),
        token_id=token_id,
        appeasement_limits=limits_of(role.appeasement_limits),
    )


def limits_of(
    stored: dict[str, Any] | None,
) -> tuple[tuple[str, Decimal | None, Decimal | None], ...]:
    """A role's stored appeasement limits, by currency (unreadable figures: no limit)."""

    def amount(value: Any) -> Decimal | None:
        try:
            found = Decimal(str(value)) if value is not None else None
        except ArithmeticError:
            return None
        return found if found is not None and found.is_finite() and found >= 0 else None

    found = []
    for currency, figures in sorted((stored or {}).items()):
        if isinstance(figures, dict):
            per_action, per_day = amount(figures.get("perAction")), amount(figures.get("perDay"))
            if per_action is not None or per_day is not None:
                found.append((currency, per_action, per_day))
    return tuple(found)


@dataclass(frozen=True)
class Lifetimes:
    """How long a session lives: ``idle`` since its last use, ``absolute`` since sign-in (None:
    no absolute limit). API tokens have neither; they live until revoked."""

    idle: dt.timedelta
    absolute: dt.timedelta | None = None


@dataclass(frozen=True)
class Signed:
    """The viewer a token signs in, and whether its ``last_used_at`` is due a refresh; with
    the user's row as read (it primes the request's user loader)."""

    viewer: Viewer
    touch_due: bool
    user: User | None = None


async def viewer_for_token(
    session: AsyncSession, token: str, lifetimes: Lifetimes | dt.timedelta
) -> Signed | None:
    """The viewer a token signs in, or None when it is unknown, revoked, expired (idle or past
    its absolute lifetime) or the user is inactive. Role and store changes apply at once: they
    are read on every request, in one statement. Only reads: the caller refreshes
    ``last_used_at`` with ``touch`` in a write transaction of its own when ``touch_due``."""
    if isinstance(lifetimes, dt.timedelta):
        lifetimes = Lifetimes(idle=lifetimes)
    now = utcnow()
    rows = list(await session.execute(_VIEWER_BY_TOKEN, {"token_hash": token_hash(token)}))
    if not rows:
        return None
    user, role, token_row = rows[0][0], rows[0][1], rows[0][3]
    if token_row.revoked_at is not None or not user.active:
        return None
    if token_row.kind is TokenKind.SESSION:
        if now - token_row.last_used_at > lifetimes.idle:
            return None
        if lifetimes.absolute is not None and now - token_row.created_at > lifetimes.absolute:
            return None
    store_ids = frozenset(r[2] for r in rows if r[2] is not None)
    return Signed(
        viewer=viewer_of(user, role, store_ids, token_row.id),
        touch_due=now - token_row.last_used_at > TOUCH_INTERVAL,
        user=user,
    )


async def touch(session: AsyncSession, token_id: int) -> None:
    """Refresh a token's ``last_used_at`` (at most once per TOUCH_INTERVAL: concurrent requests
    of one token write it once). Run in a short write transaction of its own, never inside a
    request's read transaction: on SQLite a read transaction cannot become a write one once
    another connection has written ("database is locked")."""
    now = utcnow()
    await session.execute(
        update(SessionToken)
        .where(SessionToken.id == token_id, SessionToken.last_used_at < now - TOUCH_INTERVAL)
        .values(last_used_at=now)
    )


def token_from_headers(authorization: str | None, cookie: str | None) -> str | None:
    """The bearer token, else the session cookie's, else None."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return cookie or None
