"""Users, roles with permissions and store access, session and API tokens, login attempts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column, utcnow
from models.enums import StoreAccess, TokenKind

role_stores = Table(
    "role_store",
    Base.metadata,
    Column("role_id", ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("store.id", ondelete="CASCADE"), primary_key=True),
)


class Role(Base):
    __tablename__ = "role"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    level: Mapped[int]
    # Permission names (models.enums.Permission).
    permissions: Mapped[list[str]] = mapped_column(default=list)
    store_access: Mapped[StoreAccess] = mapped_column(enum_column(StoreAccess))
    # Appeasement limits by currency, e.g. {"GBP": {"perAction": "50.00", "perDay": "200.00"}}
    # (resolvers.limits); a missing currency, figure or null column: no limit. On the role row
    # so that the viewer carries them without a statement of its own.
    appeasement_limits: Mapped[dict[str, Any] | None] = mapped_column()


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"), index=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SessionToken(Base):
    """A login session or a long-lived API token; only the SHA-256 of the token is stored."""

    __tablename__ = "session_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[TokenKind] = mapped_column(enum_column(TokenKind))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class LoginAttempt(Base):
    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_address_at", "username", "address", "at"),
        # Failures per address, whatever the username (resolvers/login.py).
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    success: Mapped[bool]
