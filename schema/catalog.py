"""SKUs as the exchange screen shows them: ``exchangeCandidates(lineId)``."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from models import Line as LineRow
from models import Order as OrderRow
from resolvers import stock
from resolvers.errors import NotFound
from resolvers.orders import visible_to
from schema import ids
from schema.context import Info


@strawberry.type(description="One attribute of a SKU, e.g. colour: Navy.")
class SkuAttribute:
    name: str
    value: str


@strawberry.type(description="A child SKU of a style, with its stock in the order's store.")
class Sku:
    code: str
    name: str
    style_code: str = strawberry.field(description="The style (parent SKU) it belongs to.")
    attributes: list[SkuAttribute] = strawberry.field(description="By name, e.g. colour, size.")
    image_url: str | None
    available: int = strawberry.field(description="Units available in the order's store.")


async def exchange_candidates(info: Info, line_id: strawberry.ID) -> list[Sku]:
    """The other SKUs of the line's style with stock in the order's store, by code; an empty
    list when there are none. Whether the line itself may be exchanged is
    `Order.availableActions` (EXCHANGE). An unknown line, or one of a store you do not see,
    is a BAD_USER_INPUT error (reason NOT_FOUND)."""
    pk = ids.parse(line_id)
    missing = NotFound("No such line.", field=["lineId"])
    if pk is None or pk[0] != "Line":
        raise missing
    async with info.context.read() as session:
        found = (
            await session.execute(
                select(LineRow.sku_id, OrderRow)
                .join(OrderRow, OrderRow.id == LineRow.order_id)
                .where(LineRow.id == pk[1])
            )
        ).one_or_none()
        if found is None or not visible_to(info.context.viewer, found[1]):
            raise missing
        sku_id, order = found
        rows = await stock.exchange_candidates(session, order.store_id, sku_id)
    return [
        Sku(
            code=sku.code,
            name=sku.name,
            style_code=style_code,
            attributes=[
                SkuAttribute(name=str(k), value=str(v)) for k, v in sorted(sku.attributes.items())
            ],
            image_url=sku.image_url,
            available=units,
        )
        for sku, style_code, units in rows
    ]
