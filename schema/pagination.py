"""One generic Relay connection for every list: ``Connection[Order]`` is ``OrderConnection``
(edges of ``OrderEdge``, ``pageInfo``, ``totalCount``). Built from the domain's ``Page``; the
total is counted only when a client selects it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.pagination import COUNT_CAP, Page, Total
from schema.context import Info

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="One page of a list, with keyset cursors (Relay).")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    page: strawberry.Private[Page[Any]]
    counted: strawberry.Private[asyncio.Future[Total] | None] = None

    async def _total(self, info: Info) -> Total:
        # Both count fields share one count per connection.
        if self.counted is None:

            async def count() -> Total:
                async with info.context.read() as session:
                    return await self.page.total(session)

            self.counted = asyncio.ensure_future(count())
        return await self.counted

    @strawberry.field(
        description=f"Matches in all pages, exact up to {COUNT_CAP:,}; beyond that "
        f"{COUNT_CAP:,} with totalCountIsExact false. Counted only when selected."
    )
    async def total_count(self, info: Info) -> int:
        return (await self._total(info)).count

    @strawberry.field(
        description=f'False when there are more than {COUNT_CAP:,} matches (show "1,000+").'
    )
    async def total_count_is_exact(self, info: Info) -> bool:
        return (await self._total(info)).exact

    @classmethod
    def of(cls, page: Page[Any], node: Callable[[Any], T], *, after: str | None) -> Connection[T]:
        """The connection of a page, each row made a node by ``node``."""
        edges = [Edge(cursor=page.cursor(row), node=node(row)) for row in page.rows]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            page=page,
        )
