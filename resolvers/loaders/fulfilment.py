"""What an order's detail shows of fulfilment and money: its parcels and its refunds, each
loaded by order (lines' and actions' refunds are picked from their order's)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Refund, Shipment
from resolvers.loaders.base import SessionLoader, grouped

# Built once: the detail page runs them.
_SHIPMENTS = (
    select(Shipment)
    .where(Shipment.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(Shipment.order_id, Shipment.shipped_at, Shipment.id)
)
_REFUNDS = (
    select(Refund)
    .where(Refund.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(Refund.order_id, Refund.id)
)


class ShipmentsByOrderLoader(SessionLoader[int, list[Shipment]]):
    """Parcels of each order, in the order they were shipped."""

    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[list[Shipment]]:
        rows = await session.scalars(_SHIPMENTS, {"order_ids": keys})
        return grouped(keys, rows, lambda s: s.order_id)


class RefundsByOrderLoader(SessionLoader[int, list[Refund]]):
    """Refunds of each order (credit notes and voids), oldest first."""

    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[list[Refund]]:
        rows = await session.scalars(_REFUNDS, {"order_ids": keys})
        return grouped(keys, rows, lambda r: r.order_id)
