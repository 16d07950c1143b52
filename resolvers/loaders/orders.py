"""Orders linked to an order: its origin and its derived exchanges and reshipments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BindParameter, Select, bindparam, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from models import Order
from resolvers.loaders.base import SessionLoader
from resolvers.loaders.reads import SessionFactory
from resolvers.loaders.simple import OrderLoader


@dataclass(frozen=True)
class Linked:
    origin: Order | None
    derived: list[Order]

    def find(self, order_id: int) -> Order | None:
        """The linked order with this id (origin or derived), if it is one of them."""
        if self.origin is not None and self.origin.id == order_id:
            return self.origin
        return next((o for o in self.derived if o.id == order_id), None)


def _linked() -> Select[Order]:
    # Three index lookups joined by UNION: the orders, their derived orders (by
    # origin_order_id) and their origins. Written as one OR, PostgreSQL scans the whole order
    # table instead (a million rows removed by filter at 1M orders).
    keys: BindParameter[int] = bindparam("order_ids", expanding=True)
    themselves = select(Order.id).where(Order.id.in_(keys))
    derived = select(Order.id).where(Order.origin_order_id.in_(keys))
    origins = select(Order.origin_order_id).where(
        Order.id.in_(keys), Order.origin_order_id.is_not(None)
    )
    linked_ids = union(themselves, derived, origins).subquery()
    return select(Order).join(linked_ids, Order.id == linked_ids.c.id).order_by(Order.id)


_LINKED = _linked()  # built once


class LinkedOrdersLoader(SessionLoader[int, Linked]):
    """Origin and derived orders of each order id, in one statement. The order's derived
    orders, its actions' resulting orders and its history's related orders all come from
    here, so the detail page loads them once; also primes the order loader."""

    def __init__(self, sessionmaker: SessionFactory, orders: OrderLoader) -> None:
        super().__init__(sessionmaker)
        self.orders = orders

    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[Linked]:
        rows = list(await session.scalars(_LINKED, {"order_ids": keys}))
        by_id = {r.id: r for r in rows}
        for row in rows:
            self.orders.prime(row.id, row)
        linked = []
        for key in keys:
            own = by_id.get(key)
            origin_id = own.origin_order_id if own is not None else None
            linked.append(
                Linked(
                    origin=by_id.get(origin_id) if origin_id is not None else None,
                    derived=[r for r in rows if r.origin_order_id == key],
                )
            )
        return linked
