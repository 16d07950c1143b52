"""Runtime settings as the schema shows them (``settings``), read from resolvers.settings."""

from __future__ import annotations

import datetime as dt

import strawberry

from resolvers import settings as store
from resolvers.ageing import TargetKind
from schema.context import Info

TargetKindEnum = strawberry.enum(
    TargetKind,
    name="ServiceTargetKind",
    description="RETURN_APPROVAL: returns REQUESTED approved or cancelled within the target. "
    "APPEASEMENT_APPROVAL: appeasements AWAITING_APPROVAL decided within it.",
)


@strawberry.type(description="A service target of the post-sales queue.")
class ServiceTarget:
    store_code: str | None = strawberry.field(
        description="The store it applies to; null: every store without a target of its own."
    )
    kind: TargetKind
    hours: int = strawberry.field(description="Hours from creation to due (1–8,784).")


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
    postsales_service_targets: list[ServiceTarget] = strawberry.field(
        description="Setting postsales.serviceTargets: when queued actions are due "
        "(PostsalesAction.dueAt, breached). Default: returns within 48 h and approvals within "
        "24 h in every store."
    )

    @classmethod
    def of(cls, view: store.SettingsView, info: Info) -> Settings:
        return cls(
            postsales_sourcing_strategy_enabled=view.sourcing_strategy_enabled,
            updated_at=info.context.local(view.updated_at) if view.updated_at else None,
            postsales_service_targets=[
                ServiceTarget(store_code=t.store_code, kind=t.kind, hours=t.hours)
                for t in view.service_targets
            ],
        )


async def settings(info: Info) -> Settings:
    """The current settings."""
    async with info.context.read() as session:
        view = await store.read_settings(session)
    return Settings.of(view, info)
