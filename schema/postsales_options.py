"""What the post-sales screens offer to choose from: ``postsalesReasons`` and ``returnSources``."""

from __future__ import annotations

import strawberry

from resolvers import reasons as configured
from resolvers.reasons import ReasonKind
from resolvers.return_sources import return_sources as allowed_sources
from schema import ids
from schema.context import Info
from schema.order import Source

ReasonKindEnum = strawberry.enum(ReasonKind, name="ReasonKind")


@strawberry.type(description="A reason agents choose from (configured per action kind).")
class Reason:
    code: str = strawberry.field(description="What mutations take and actions show.")
    label: str = strawberry.field(description="What the agent reads.")


async def postsales_reasons(info: Info, kind: ReasonKind) -> list[Reason]:
    """The configured reasons of appeasements or returns, in their configured order."""
    async with info.context.db.read() as session:
        rows = await configured.reasons(session, kind)
    return [Reason(code=r.code, label=r.label) for r in rows]


async def return_sources(info: Info, order_id: strawberry.ID) -> list[Source] | None:
    """Where the order's returnable lines may go back to: with the sourcing strategy off, the
    sources they shipped from; on, every source that accepts returns. Null for an unknown order
    (or one outside your stores)."""
    viewer = info.context.viewer_or_raise()
    parsed = ids.parse(order_id)
    if parsed is None or parsed[0] != "Order":
        return None
    async with info.context.db.read() as session:
        rows = await allowed_sources(session, viewer, parsed[1])
    if rows is None:
        return None
    return [Source(code=s.code, name=s.name, accepts_returns=s.accepts_returns) for s in rows]
