"""SKUs by id (the new SKU of an exchanged line)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Sku
from resolvers.loaders.base import SessionLoader, one_each


class SkuLoader(SessionLoader[int, Sku | None]):
    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[Sku | None]:
        rows = await session.scalars(select(Sku).where(Sku.id.in_(keys)))
        return one_each(keys, rows, lambda sku: sku.id)
