"""Signing in and out: uniform answers and timing, and throttling that a third party cannot turn
into a lockout of the real user.

Failures are counted over ``FAILURE_WINDOW`` three ways (README "Sign-in and sessions"):

- per (username, address): ``PAIR_LIMIT`` failures lock that pair, even for the right password;
- per address, any username: ``ADDRESS_LIMIT`` failures stop that address guessing more accounts;
- per username, any address: ``ACCOUNT_LIMIT`` failures stop a guess spread over many addresses.

An address from which the username signed in successfully within ``KNOWN_FOR`` is *known* for
it: the address and account limits do not apply to it, so the real user, signing in from where
they usually do, gets through a guessing campaign aimed at their account from elsewhere. Only
failures from that very (username, address) pair can lock it.

Check and record are one atomic step: the attempt is recorded as a failure *before* its password
is checked, in the transaction that counted the earlier ones (serialised per username and per
address: ``BEGIN IMMEDIATE`` on SQLite, transaction-scoped advisory locks on PostgreSQL), and
turned into a success afterwards. Concurrent attempts therefore never check more passwords than
the limits allow. argon2 runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.addresses import MAX_ADDRESS_LENGTH
from auth.passwords import check_password
from auth.sessions import issue_token, load_viewer, revoke_token
from auth.viewer import Viewer
from core.db import Database
from models import LoginAttempt, User
from models.base import utcnow
from models.enums import TokenKind
from resolvers.errors import InvalidCredentials, TooManyAttempts

FAILURE_WINDOW = dt.timedelta(minutes=15)
PAIR_LIMIT = 5
ADDRESS_LIMIT = 20
ACCOUNT_LIMIT = 20
KNOWN_FOR = dt.timedelta(days=30)
USERNAME_LENGTH = 64


@dataclass(frozen=True)
class Failures:
    pair: int
    address: int
    account: int
    known: bool

    def refused(self) -> str | None:
        """Why an attempt is refused without checking its password, or None."""
        if self.pair >= PAIR_LIMIT:
            return "for this username from your address"
        if self.known:
            return None
        if self.address >= ADDRESS_LIMIT:
            return "from your address"
        if self.account >= ACCOUNT_LIMIT:
            return "for this username"
        return None


def recordable(value: str, length: int) -> str:
    """``value`` as a database can store it: no NUL, no lone surrogates, at most ``length``."""
    cleaned = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return cleaned[:length]


def _lock_key(kind: str, value: str) -> int:
    digest = hashlib.sha256(f"csdesk-login:{kind}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def _serialise(db: Database, session: AsyncSession, username: str, address: str) -> None:
    """On PostgreSQL, hold the username's and the address's locks until the transaction ends
    (always in the same order, so two attempts cannot deadlock). SQLite's write transactions
    are serialised already (BEGIN IMMEDIATE)."""
    if db.is_sqlite:
        return
    for key in sorted({_lock_key("user", username), _lock_key("address", address)}):
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def failures(session: AsyncSession, username: str, address: str) -> Failures:
    """The failures that count against an attempt of ``username`` from ``address``, and whether
    the address is known for the username."""
    now = utcnow()
    since = now - FAILURE_WINDOW
    failed = and_(LoginAttempt.success.is_(False), LoginAttempt.at > since)
    same_user = LoginAttempt.username == username
    same_address = LoginAttempt.address == address
    row = (
        await session.execute(
            select(
                func.count(case((and_(failed, same_user, same_address), 1))),
                func.count(case((and_(failed, same_address), 1))),
                func.count(case((and_(failed, same_user), 1))),
                func.count(
                    case(
                        (
                            and_(
                                LoginAttempt.success.is_(True),
                                same_user,
                                same_address,
                                LoginAttempt.at > now - KNOWN_FOR,
                            ),
                            1,
                        )
                    )
                ),
            ).where(or_(same_user, same_address), LoginAttempt.at > now - KNOWN_FOR)
        )
    ).one()
    return Failures(pair=row[0], address=row[1], account=row[2], known=row[3] > 0)


async def login(db: Database, username: str, password: str, address: str) -> tuple[str, Viewer]:
    """Check the password and open a session; returns (token, viewer).

    Unknown users, wrong passwords and inactive users get the same answer in the same time.
    Raises TooManyAttempts, without checking the password, when a limit is reached.
    """
    username = username.strip()
    address = recordable(address, MAX_ADDRESS_LENGTH)
    # A username no account can have (too long, NUL, lone surrogates) is an unknown one.
    stored = recordable(username, USERNAME_LENGTH)
    async with db.write() as session:
        await _serialise(db, session, stored, address)
        counted = await failures(session, stored, address)
        reason = counted.refused()
        if reason is not None:
            await session.rollback()
            minutes = int(FAILURE_WINDOW.total_seconds() // 60)
            raise TooManyAttempts(
                f"Too many failed sign-ins {reason}; try again in {minutes} minutes or ask an "
                f"administrator to reset the password.",
                field=["username"],
                retry_after_seconds=int(FAILURE_WINDOW.total_seconds()),
            )
        user = None
        if stored == username:
            user = await session.scalar(select(User).where(User.username == username))
        attempt = LoginAttempt(username=stored, address=address, success=False)
        session.add(attempt)
        await session.commit()
    password_hash = user.password_hash if user else None
    ok = await check_password(password_hash, password)
    if user is None or not ok or not user.active:
        raise InvalidCredentials("Unknown username or wrong password.", field=["password"])
    async with db.write() as session:
        await session.execute(
            update(LoginAttempt).where(LoginAttempt.id == attempt.id).values(success=True)
        )
        token, token_id = await issue_token(session, user.id, TokenKind.SESSION)
        viewer = await load_viewer(session, user.id, token_id)
        await session.commit()
    return token, viewer


async def logout(session: AsyncSession, viewer: Viewer) -> None:
    if viewer.token_id is not None:
        await revoke_token(session, viewer.token_id)
