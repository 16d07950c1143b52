"""Stock in each order's store of every SKU of the styles on the order, in one statement
(what ``Order.availableActions`` needs to tell OUT_OF_STOCK)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import Inventory, Line, Order, Sku
from resolvers.availability import Stock
from resolvers.loaders.base import SessionLoader


class StockLoader(SessionLoader[int, Stock]):
    """Key: order id."""

    async def load_batch(self, session: AsyncSession, keys: list[int]) -> list[Stock]:
        own = aliased(Sku)
        sibling = aliased(Sku)
        rows = await session.execute(
            select(Line.order_id, Line.sku_id, sibling.id, func.coalesce(Inventory.available, 0))
            .join(Order, Order.id == Line.order_id)
            .join(own, own.id == Line.sku_id)
            .join(sibling, sibling.style_id == own.style_id)
            .outerjoin(
                Inventory,
                and_(Inventory.sku_id == sibling.id, Inventory.store_id == Order.store_id),
            )
            .where(Line.order_id.in_(keys))
            .distinct()
        )
        available: dict[int, dict[int, int]] = defaultdict(dict)
        styles: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        for order_id, sku_id, other_id, units in rows:
            available[order_id][other_id] = int(units)
            styles[order_id][sku_id].add(other_id)
        return [
            Stock(
                available=available.get(key, {}),
                styles={sku: sorted(ids) for sku, ids in styles.get(key, {}).items()},
            )
            for key in keys
        ]
