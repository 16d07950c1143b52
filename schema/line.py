"""Line: one unit of one SKU on an order (``schema.order`` re-exports it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from models import Line as LineRow
from models.enums import LineStatus
from resolvers.orders import visible_to
from schema.common import Money
from schema.context import Info
from schema.ids import db_id

if TYPE_CHECKING:
    from schema.order import Order, Source
    from schema.refunds import Refund

LineStatusEnum = strawberry.enum(LineStatus, name="LineStatus")


@strawberry.type(description="One unit of one SKU on an order.")
class Line(relay.Node):
    # Scalars are plain attributes; amounts are built only when a client asks for them.
    id: relay.NodeID[int]
    number: int
    sku: str = strawberry.field(description="The SKU code.")
    product_name: str
    image_url: str | None
    status: LineStatus
    row: strawberry.Private[LineRow]
    currency: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: LineRow, currency: str) -> Line:
        return cls(
            id=row.id,
            number=row.number,
            sku=row.sku_code,
            product_name=row.product_name,
            image_url=row.image_url,
            status=row.status,
            row=row,
            currency=currency,
        )

    @strawberry.field
    def original_price(self) -> Money:
        return Money.of(self.row.original_price, self.currency)

    @strawberry.field
    def discount(self) -> Money:
        return Money.of(self.row.discount, self.currency)

    @strawberry.field(description="Line without taxes: price − discount.")
    def net_amount(self) -> Money:
        return Money.of(self.row.net_amount, self.currency)

    @strawberry.field(description="Tax rate of the line, e.g. 0.2 for 20 %.")
    def tax_rate(self) -> float:
        return float(self.row.tax_rate)

    @strawberry.field
    def tax(self) -> Money:
        return Money.of(self.row.tax, self.currency)

    @strawberry.field(description="Line total: net + tax.")
    def total(self) -> Money:
        return Money.of(self.row.total, self.currency)

    @strawberry.field(description="Net amount still refundable on this line (the refund ledger).")
    def refundable_amount(self) -> Money:
        return Money.of(self.row.refundable_net, self.currency)

    @strawberry.field(description="The order this line belongs to.")
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("schema.order")]:
        from schema.order import Order

        row = await info.context.loaders.order.load(self.row.order_id)
        return Order.from_row(row, info)

    @strawberry.field(description="The source (warehouse or shop) the line ships from.")
    async def source(self, info: Info) -> Annotated[Source, strawberry.lazy("schema.order")] | None:
        from schema.order import Source

        if self.row.source_id is None:
            return None
        row = await info.context.loaders.source.load(self.row.source_id)
        return Source(code=row.code, name=row.name, accepts_returns=row.accepts_returns)

    @strawberry.field(description="Refunds drawn on this line (credit notes, voids), oldest first.")
    async def refunds(
        self, info: Info
    ) -> list[Annotated[Refund, strawberry.lazy("schema.refunds")]]:
        from schema.refunds import refunds_of_order

        return [
            r
            for r in await refunds_of_order(info, self.row.order_id)
            if r.row.line_id == self.row.id
        ]

    @strawberry.field(description="When the carrier delivered the line; null until then.")
    def delivered_at(self, info: Info) -> dt.datetime | None:
        return info.context.local(self.row.delivered_at) if self.row.delivered_at else None

    @classmethod
    # Relay's signature is overloaded on ``required``; this one implementation serves both
    # (csdesk always answers a missing node with None), which mypy cannot see.
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Line | None]:
        loaders = info.context.loaders
        wanted = [db_id(i) for i in node_ids]
        lines = await loaders.line.load_many([i for i in wanted if i is not None])
        by_id = {line.id: line for line in lines if line is not None}
        orders = await loaders.order.load_many(sorted({line.order_id for line in by_id.values()}))
        visible = {o.id: o for o in orders if o is not None and visible_to(info.context.viewer, o)}
        result: list[Line | None] = []
        for line_id in wanted:
            line = by_id.get(line_id) if line_id is not None else None
            order = visible.get(line.order_id) if line is not None else None
            result.append(cls.from_row(line, order.currency) if line and order else None)
        return result
