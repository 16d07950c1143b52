"""Where a returned line may go back to: by default the source it shipped from; with the setting
``postsales.sourcingStrategy.enabled`` on (or when the line has no shipping source on record),
any source that accepts returns. Which sources accept returns is managed here too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Line, Order, Source
from resolvers.eligibility import returnable
from resolvers.errors import NotFound
from resolvers.settings import sourcing_strategy_enabled


@dataclass(frozen=True)
class SourceOptions:
    default: Source | None
    allowed: list[Source]


def source_options(
    line: Line, enabled: bool, accepting: Sequence[Source], sources: dict[int, Source]
) -> SourceOptions:
    """By default a line goes back to the source it shipped from; with the sourcing strategy
    on (or when the line has no shipping source on record), to any source that accepts returns."""
    shipped_from = sources.get(line.source_id) if line.source_id is not None else None
    if shipped_from is not None and not enabled:
        return SourceOptions(shipped_from, [shipped_from])
    default = shipped_from if shipped_from in accepting else None
    return SourceOptions(default, list(accepting))


async def source_context(session: AsyncSession) -> tuple[bool, list[Source], dict[int, Source]]:
    """The setting, the sources accepting returns (by code), and every source by id."""
    enabled = await sourcing_strategy_enabled(session)
    every = list(await session.scalars(select(Source).order_by(Source.code)))
    return enabled, [s for s in every if s.accepts_returns], {s.id: s for s in every}


async def return_sources(
    session: AsyncSession, viewer: Viewer, order_id: int
) -> list[Source] | None:
    """The sources the order's returnable lines may go back to (None: no such order)."""
    order = await session.get(Order, order_id)
    if order is None or not (viewer.sees_store(order.store_id)):
        return None
    enabled, accepting, sources = await source_context(session)
    lines = await session.scalars(select(Line).where(Line.order_id == order.id))
    found: dict[str, Source] = {}
    for line in lines:
        if returnable(line):
            for source in source_options(line, enabled, accepting, sources).allowed:
                found[source.code] = source
    return [found[code] for code in sorted(found)]


async def all_sources(session: AsyncSession) -> list[Source]:
    """Every source, by code (the settings screen)."""
    return list(await session.scalars(select(Source).order_by(Source.code)))


async def set_accepts_returns(session: AsyncSession, code: str, accepts_returns: bool) -> Source:
    """Turn a source's "accepts returns" capability on or off. Returns already opened to it
    keep going there; new ones follow the new setting."""
    source = await session.scalar(select(Source).where(Source.code == code.strip().upper()))
    if source is None:
        raise NotFound(f"No source {code!r}.", field=["input", "code"])
    source.accepts_returns = accepts_returns
    await session.flush()
    return source
