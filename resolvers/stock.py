"""Stock per store and SKU: what exchanges and reshipments reserve and cancellations give back.

A reservation is one guarded statement, ``UPDATE inventory SET available = available - 1
WHERE store_id = :store AND sku_id = :sku AND available >= 1``, and a row count of 0 means
out of stock: on PostgreSQL a concurrent reserver waits for the row lock and re-checks the
condition on the committed value; on SQLite writers run one at a time. The last unit can
therefore be taken once, and the CHECK (available >= 0) is the last line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import rows_changed
from models import Inventory, Sku, Style


async def reserve(session: AsyncSession, store_id: int, sku_id: int) -> bool:
    """Take one unit of ``sku_id`` in ``store_id``; False when none is left."""
    result = await session.execute(
        update(Inventory)
        .where(
            Inventory.store_id == store_id,
            Inventory.sku_id == sku_id,
            Inventory.available >= 1,
        )
        .values(available=Inventory.available - 1)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


async def give_back(session: AsyncSession, store_id: int, sku_id: int) -> None:
    """Put one unit of ``sku_id`` back in ``store_id`` (creating the stock row if missing)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(Inventory).values(store_id=store_id, sku_id=sku_id, available=1)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Inventory.store_id, Inventory.sku_id],
            set_={"available": Inventory.available + 1},
        )
    )


async def available(session: AsyncSession, store_id: int, sku_ids: Iterable[int]) -> dict[int, int]:
    """Units available per SKU in the store (0 where there is no stock row)."""
    ids = sorted(set(sku_ids))
    rows = await session.execute(
        select(Inventory.sku_id, Inventory.available).where(
            Inventory.store_id == store_id, Inventory.sku_id.in_(ids)
        )
    )
    found = {sku_id: n for sku_id, n in rows}
    return {sku_id: found.get(sku_id, 0) for sku_id in ids}


async def exchange_candidates(
    session: AsyncSession, store_id: int, sku_id: int
) -> list[tuple[Sku, str, int]]:
    """The other SKUs of ``sku_id``'s style with stock in the store: (SKU, style code, units),
    by SKU code."""
    style_id = select(Sku.style_id).where(Sku.id == sku_id).scalar_subquery()
    rows = await session.execute(
        select(Sku, Style.code, Inventory.available)
        .join(Style, Style.id == Sku.style_id)
        .join(Inventory, Inventory.sku_id == Sku.id)
        .where(
            Sku.style_id == style_id,
            Sku.id != sku_id,
            Inventory.store_id == store_id,
            Inventory.available >= 1,
        )
        .order_by(Sku.code)
    )
    return [(sku, code, n) for sku, code, n in rows]
