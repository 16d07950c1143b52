"""Runtime settings as the schema shows them (``settings``), read from resolvers.settings."""

from __future__ import annotations

import datetime as dt

import strawberry

from resolvers import settings as store
from schema.context import Info


@strawberry.type(description="Runtime settings of the customer-service screens.")
class Settings:
    postsales_sourcing_strategy_enabled: bool = strawberry.field(
        description="Setting postsales.sourcingStrategy.enabled (guide: Postsales / Sourcing "
        "strategy / enabled). Off: a return goes back to the source its line shipped from. "
        "On: to any source that accepts returns (the return screen shows a Returned To "
        "column; returnSources lists the choices)."
    )
    updated_at: dt.datetime | None = strawberry.field(
        description="When a setting was last changed (viewer's time zone); null: defaults."
    )

    @classmethod
    def of(cls, view: store.SettingsView, info: Info) -> Settings:
        return cls(
            postsales_sourcing_strategy_enabled=view.sourcing_strategy_enabled,
            updated_at=info.context.local(view.updated_at) if view.updated_at else None,
        )


async def settings(info: Info) -> Settings:
    """The current settings."""
    async with info.context.db.read() as session:
        view = await store.read_settings(session)
    return Settings.of(view, info)
