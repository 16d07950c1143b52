"""Runtime settings (table ``setting``): what they are, their defaults, reading and changing.

Each setting is stored under its dotted key as a small JSON object, e.g.
``postsales.sourcingStrategy.enabled`` = ``{"enabled": false}``; a missing row means the default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Setting
from models.base import utcnow

SOURCING_STRATEGY = "postsales.sourcingStrategy.enabled"


@dataclass(frozen=True)
class SettingsView:
    """Every setting with its current value (the default where none is stored)."""

    sourcing_strategy_enabled: bool
    updated_at: dt.datetime | None


async def _flag(session: AsyncSession, key: str) -> tuple[bool, dt.datetime | None]:
    row = await session.scalar(
        select(Setting).where(Setting.key == key).execution_options(populate_existing=True)
    )
    if row is None:
        return False, None
    return bool(row.value.get("enabled", False)), row.updated_at


async def sourcing_strategy_enabled(session: AsyncSession) -> bool:
    """On: returns may go to any source accepting them; off: where the line shipped from."""
    enabled, _ = await _flag(session, SOURCING_STRATEGY)
    return enabled


async def read_settings(session: AsyncSession) -> SettingsView:
    enabled, updated_at = await _flag(session, SOURCING_STRATEGY)
    return SettingsView(sourcing_strategy_enabled=enabled, updated_at=updated_at)


async def update_settings(
    session: AsyncSession, *, sourcing_strategy_enabled: bool | None = None
) -> SettingsView:
    """Store the given settings (None leaves one as it is); returns them all."""
    if sourcing_strategy_enabled is not None:
        row = await session.get(Setting, SOURCING_STRATEGY)
        value = {"enabled": sourcing_strategy_enabled}
        if row is None:
            session.add(Setting(key=SOURCING_STRATEGY, value=value, updated_at=utcnow()))
        elif row.value != value:
            row.value = value
            row.updated_at = utcnow()
        await session.flush()
    return await read_settings(session)
