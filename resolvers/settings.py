"""Runtime settings (table ``setting``): what they are, their defaults, reading and changing.

Each setting is stored under its dotted key as a small JSON object, e.g.
``postsales.sourcingStrategy.enabled`` = ``{"enabled": false}``; a missing row means the default.
``postsales.serviceTargets`` holds the queue's service targets (``resolvers.ageing``):
``{"targets": [{"store": null | "UK", "kind": "RETURN_APPROVAL", "hours": 48}, …]}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Setting, Store
from models.base import utcnow
from resolvers.ageing import DEFAULT_TARGETS, MAX_HOURS, Target, TargetKind, Targets
from resolvers.errors import NotFound, ValidationFailed

SOURCING_STRATEGY = "postsales.sourcingStrategy.enabled"
SERVICE_TARGETS = "postsales.serviceTargets"
TARGETS_FIELD = ["input", "postsalesServiceTargets"]


@dataclass(frozen=True)
class SettingsView:
    """Every setting with its current value (the default where none is stored)."""

    sourcing_strategy_enabled: bool
    updated_at: dt.datetime | None
    service_targets: list[Target] = field(default_factory=list)


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


async def service_targets(session: AsyncSession) -> tuple[list[Target], dt.datetime | None]:
    """The post-sales queue's service targets (the defaults where none are stored)."""
    row = await session.scalar(
        select(Setting)
        .where(Setting.key == SERVICE_TARGETS)
        .execution_options(populate_existing=True)
    )
    if row is None:
        return list(DEFAULT_TARGETS), None
    found = []
    for item in row.value.get("targets", []):
        try:
            found.append(Target(item.get("store"), TargetKind(item["kind"]), int(item["hours"])))
        except (KeyError, TypeError, ValueError):
            continue  # a hand-edited entry csdesk cannot read: ignored
    return found, row.updated_at


async def resolved_targets(session: AsyncSession) -> Targets:
    """The service targets with store codes resolved to ids (two statements)."""
    targets, _ = await service_targets(session)
    codes = sorted({t.store_code for t in targets if t.store_code})
    ids = {}
    if codes:
        ids = dict(
            (c, i)
            for c, i in await session.execute(
                select(Store.code, Store.id).where(Store.code.in_(codes))
            )
        )
    return Targets.of(targets, ids)


async def read_settings(session: AsyncSession) -> SettingsView:
    enabled, updated_at = await _flag(session, SOURCING_STRATEGY)
    targets, targets_at = await service_targets(session)
    latest = max((t for t in (updated_at, targets_at) if t is not None), default=None)
    return SettingsView(
        sourcing_strategy_enabled=enabled, updated_at=latest, service_targets=targets
    )


async def _check_targets(session: AsyncSession, targets: Sequence[Target]) -> list[Target]:
    """Targets as given: hours 1–MAX_HOURS, known store codes, one per (store, kind)."""
    seen: set[tuple[str | None, TargetKind]] = set()
    codes = {t.store_code.strip().upper() for t in targets if t.store_code}
    known = set(await session.scalars(select(Store.code).where(Store.code.in_(codes))))
    checked = []
    for i, t in enumerate(targets):
        at = [*TARGETS_FIELD, str(i)]
        code = t.store_code.strip().upper() if t.store_code else None
        if code is not None and code not in known:
            raise NotFound(f"No store with code {code}.", field=[*at, "storeCode"])
        if not 1 <= t.hours <= MAX_HOURS:
            raise ValidationFailed(
                f"A service target is 1 to {MAX_HOURS} hours; got {t.hours}.",
                field=[*at, "hours"],
            )
        if (code, t.kind) in seen:
            raise ValidationFailed(
                f"{t.kind.value} is given twice for {code or 'every store'}.", field=at
            )
        seen.add((code, t.kind))
        checked.append(Target(code, t.kind, t.hours))
    return checked


async def update_settings(
    session: AsyncSession,
    *,
    sourcing_strategy_enabled: bool | None = None,
    service_targets: Sequence[Target] | None = None,
) -> SettingsView:
    """Store the given settings (None leaves one as it is); returns them all."""
    if service_targets is not None:
        checked = await _check_targets(session, service_targets)
        stored: dict[str, object] = {
            "targets": [
                {"store": t.store_code, "kind": t.kind.value, "hours": t.hours} for t in checked
            ]
        }
        row = await session.get(Setting, SERVICE_TARGETS)
        if row is None:
            session.add(Setting(key=SERVICE_TARGETS, value=stored, updated_at=utcnow()))
        elif row.value != stored:
            row.value = stored
            row.updated_at = utcnow()
        await session.flush()
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
