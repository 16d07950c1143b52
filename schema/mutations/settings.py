"""``settingsUpdate``: change runtime settings (SETTINGS_MANAGE)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import settings as store
from schema.context import Info
from schema.errors import ValidationFailed
from schema.settings import Settings


@strawberry.input(description="Settings to change; omitted or null ones stay as they are.")
class SettingsUpdateInput:
    postsales_sourcing_strategy_enabled: bool | None = strawberry.field(
        default=None, description="postsales.sourcingStrategy.enabled"
    )


@strawberry.type
class SettingsUpdateSuccess:
    settings: Settings


SettingsUpdateResult = Annotated[
    SettingsUpdateSuccess | ValidationFailed, strawberry.union("SettingsUpdateResult")
]


async def settings_update(info: Info, input: SettingsUpdateInput) -> SettingsUpdateResult:
    """Change settings; setting a value it already has changes nothing (naturally idempotent)."""
    if input.postsales_sourcing_strategy_enabled is None:
        return ValidationFailed(
            code="VALIDATION_FAILED",
            message="Give at least one setting to change.",
            field=["input"],
        )
    async with info.context.db.write() as session:
        view = await store.update_settings(
            session, sourcing_strategy_enabled=input.postsales_sourcing_strategy_enabled
        )
        await session.commit()
    return SettingsUpdateSuccess(settings=Settings.of(view, info))
