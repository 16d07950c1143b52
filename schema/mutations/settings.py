"""``settingsUpdate``: change runtime settings (SETTINGS_MANAGE)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import settings as store
from resolvers.ageing import Target, TargetKind
from schema.context import Info
from schema.errors import NotFound, ValidationFailed
from schema.settings import Settings


@strawberry.input(description="A service target: hours per kind, for one store or all.")
class ServiceTargetInput:
    store_code: str | None = strawberry.field(
        default=None, description="A store code; null: the default of every store."
    )
    kind: TargetKind
    hours: int = strawberry.field(description="1–8,784 (a year).")


@strawberry.input(description="Settings to change; omitted or null ones stay as they are.")
class SettingsUpdateInput:
    postsales_sourcing_strategy_enabled: bool | None = strawberry.field(
        default=None, description="postsales.sourcingStrategy.enabled"
    )
    postsales_service_targets: list[ServiceTargetInput] | None = strawberry.field(
        default=None,
        description="postsales.serviceTargets, the complete set (one per store and kind); an "
        "empty list: no targets, nothing is ever due.",
    )


@strawberry.type
class SettingsUpdateSuccess:
    settings: Settings


SettingsUpdateResult = Annotated[
    SettingsUpdateSuccess | ValidationFailed | NotFound, strawberry.union("SettingsUpdateResult")
]


async def settings_update(info: Info, input: SettingsUpdateInput) -> SettingsUpdateResult:
    """Change settings; setting a value it already has changes nothing (naturally idempotent)."""
    if (
        input.postsales_sourcing_strategy_enabled is None
        and input.postsales_service_targets is None
    ):
        return ValidationFailed(
            code="VALIDATION_FAILED",
            message="Give at least one setting to change.",
            field=["input"],
        )
    async with info.context.db.write() as session:
        targets = input.postsales_service_targets
        view = await store.update_settings(
            session,
            sourcing_strategy_enabled=input.postsales_sourcing_strategy_enabled,
            service_targets=None
            if targets is None
            else [Target(t.store_code, t.kind, t.hours) for t in targets],
        )
        await session.commit()
    return SettingsUpdateSuccess(settings=Settings.of(view, info))
