"""What the post-sales screens offer to choose from: ``postsalesReasons`` and ``returnSources``."""

from __future__ import annotations

import strawberry

from models import Reason as ReasonRow
from resolvers import reasons as configured
from resolvers.reasons import ReasonKind
from resolvers.return_sources import return_sources as allowed_sources
from schema import ids
from schema.context import Info
from schema.order import Source

ReasonKindEnum = strawberry.enum(ReasonKind, name="ReasonKind")


@strawberry.type(description="A reason's label in one language.")
class ReasonLabel:
    language: str = strawberry.field(description="Two-letter code, e.g. de.")
    label: str


@strawberry.type(description="A reason agents choose from (configured per action kind).")
class Reason:
    code: str = strawberry.field(description="What mutations take and actions show.")
    label: str = strawberry.field(
        description="What the agent reads: in the language asked for, else the default label."
    )
    kind: ReasonKind
    default_label: str = strawberry.field(description="The label when no language matches.")
    labels: list[ReasonLabel] = strawberry.field(description="Labels per language, by language.")
    active: bool = strawberry.field(description="Inactive reasons are neither offered nor taken.")
    position: int = strawberry.field(description="Order in the list.")

    @classmethod
    def of(cls, row: ReasonRow, language: str | None = None) -> Reason:
        return cls(
            code=row.code,
            label=configured.label_in(row, language),
            kind=ReasonKind(row.kind.value),
            default_label=row.label,
            labels=[
                ReasonLabel(language=k, label=v) for k, v in sorted((row.labels or {}).items())
            ],
            active=row.active,
            position=row.position,
        )


async def postsales_reasons(
    info: Info,
    kind: ReasonKind,
    language: str | None = None,
    include_inactive: bool = False,
) -> list[Reason]:
    """The configured reasons of an action kind, in their configured order; labels in
    ``language`` (e.g. the order's) where translated. Inactive ones only when asked for (the
    settings screen)."""
    async with info.context.read() as session:
        rows = await configured.reasons(session, kind, include_inactive=include_inactive)
    return [Reason.of(r, language) for r in rows]


async def return_sources(info: Info, order_id: strawberry.ID) -> list[Source] | None:
    """Where the order's returnable lines may go back to: with the sourcing strategy off, the
    sources they shipped from; on, every source that accepts returns. Null for an unknown order
    (or one outside your stores)."""
    viewer = info.context.viewer_or_raise()
    parsed = ids.parse(order_id)
    if parsed is None or parsed[0] != "Order":
        return None
    async with info.context.read() as session:
        rows = await allowed_sources(session, viewer, parsed[1])
    if rows is None:
        return None
    return [Source(code=s.code, name=s.name, accepts_returns=s.accepts_returns) for s in rows]
