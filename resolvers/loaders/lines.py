"""Lines of orders, by order id, in line-number order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Line
from resolvers.loaders.base import SessionLoader, grouped, one_each


class LinesByOrderLoader(SessionLoader[int, list[Line]]):
    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[list[Line]]:
        rows = await session.scalars(
            select(Line).where(Line.order_id.in_(keys)).order_by(Line.order_id, Line.number)
        )
        return grouped(keys, rows, lambda line: line.order_id)


class LineLoader(SessionLoader[int, Line | None]):
    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[Line | None]:
        rows = await session.scalars(select(Line).where(Line.id.in_(keys)))
        return one_each(keys, rows, lambda line: line.id)
