"""Loaders of single rows by primary key: stores, sources, customers, users, orders."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Customer, Order, Source, Store, User
from resolvers.loaders.base import SessionLoader, one_each


class ByIdLoader(SessionLoader[int, Any]):
    model: ClassVar[Any]
    # Built once per model (the first batch builds it).
    _by_ids: ClassVar[Select[Any] | None] = None

    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[Any]:
        stmt = type(self)._by_ids
        if stmt is None:
            ids: BindParameter[int] = bindparam("ids", expanding=True)
            stmt = type(self)._by_ids = select(self.model).where(self.model.id.in_(ids))
        rows = await session.scalars(stmt, {"ids": keys})
        return one_each(keys, rows, lambda row: row.id)


class StoreLoader(ByIdLoader):
    model = Store


class SourceLoader(ByIdLoader):
    model = Source


class CustomerLoader(ByIdLoader):
    model = Customer


class UserLoader(ByIdLoader):
    model = User


class OrderLoader(ByIdLoader):
    """Orders by id, unscoped: callers apply the viewer's store scope
    (``resolvers.orders.visible_to``)."""

    model = Order
