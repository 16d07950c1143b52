"""Lines of orders, by order id, in line-number order."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Line, Shipment
from resolvers.loaders.base import SessionLoader, grouped, one_each
from resolvers.loaders.fulfilment import ShipmentsByOrderLoader
from resolvers.loaders.reads import SessionFactory
from resolvers.loaders.rows import Records

# Built once; each batch runs it with its order ids. Lines and parcels as records
# (resolvers.loaders.rows): a page shows them, nothing writes through them.
_LINE = Records(Line)
_PARCEL = Records(Shipment)
_LINES = (
    select(*_LINE.columns, *_PARCEL.columns)
    .outerjoin(Shipment, Shipment.id == Line.shipment_id)
    .where(Line.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(Line.order_id, Line.number)
)


class LinesByOrderLoader(SessionLoader[int, list[Line]]):
    """Lines of each order; primes the shipments loader with the orders' parcels (every
    parcel holds lines), so that the detail page needs no statement for them."""

    def __init__(
        self,
        sessionmaker: SessionFactory,
        shipments: ShipmentsByOrderLoader | None = None,
    ) -> None:
        super().__init__(sessionmaker)
        self.shipments = shipments

    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[list[Line]]:
        result = await session.execute(_LINES, {"order_ids": keys})
        lines: list[Line] = []
        parcels: dict[int, Shipment] = {}
        width = _LINE.width
        for row in result:
            lines.append(_LINE.of(row[:width]))
            if row[width] is not None and row[width] not in parcels:  # the parcel's id
                parcels[row[width]] = _PARCEL.of(row[width:])
        if self.shipments is not None:
            ordered = sorted(parcels.values(), key=lambda p: (p.shipped_at, p.id))
            for key, found in zip(keys, grouped(keys, ordered, lambda p: p.order_id), strict=True):
                self.shipments.prime(key, found)
        return grouped(keys, lines, lambda line: line.order_id)


class LineLoader(SessionLoader[int, Line | None]):
    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[Line | None]:
        rows = await session.scalars(select(Line).where(Line.id.in_(keys)))
        return one_each(keys, rows, lambda line: line.id)
