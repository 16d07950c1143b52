"""Stock intake against the database: the absolute number of units available per store and
SKU, as the shop's stock system counts them, a chunk of records at a time.

A level replaces the one csdesk holds (exchanges and reservations since the count are the
stock system's to account for); a later record for the same store and SKU wins. Each
record is CHANGED or UNCHANGED, or rejected for an unknown store or SKU, and written with
one upsert statement per chunk.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import Inventory, Sku, Store
from resolvers.errors import Problem
from resolvers.intake.catalog_record import StockDraft
from resolvers.intake.reader import Rejected
from resolvers.intake.writes import table


class Level(enum.StrEnum):
    CHANGED = "CHANGED"
    UNCHANGED = "UNCHANGED"


@dataclass(frozen=True)
class StockResult:
    store: str
    sku: str
    level: Level
    before: int  # 0 when csdesk had no stock row
    available: int


async def set_stock(
    session: AsyncSession, drafts: Sequence[StockDraft], *, dry_run: bool = False
) -> list[StockResult | Rejected]:
    """One result per draft, in order; with ``dry_run`` nothing is written."""
    store_codes = {d.store for d in drafts if d.store is not None}
    sku_codes = {d.sku for d in drafts if d.sku is not None}
    stores = {
        code: pk
        for code, pk in await session.execute(
            select(Store.code, Store.id).where(Store.code.in_(store_codes))
        )
    }
    skus: dict[str, int] = {}
    if sku_codes:
        rows = await session.execute(select(Sku.code, Sku.id).where(Sku.code.in_(sku_codes)))
        skus = {code: pk for code, pk in rows}
    levels: dict[tuple[int, int], int] = {}
    if stores and skus:
        held = await session.execute(
            select(Inventory.store_id, Inventory.sku_id, Inventory.available).where(
                Inventory.store_id.in_(stores.values()), Inventory.sku_id.in_(skus.values())
            )
        )
        levels = {(store, sku): n for store, sku, n in held}
    results: list[StockResult | Rejected] = []
    changed: dict[tuple[int, int], int] = {}
    for d in drafts:
        if d.store is not None and d.store not in stores:
            d.problems.append(Problem(("store",), f'unknown store "{d.store}"', "UNKNOWN_STORE"))
        if d.sku is not None and d.sku not in skus:
            d.problems.append(Problem(("sku",), f'unknown SKU "{d.sku}"', "UNKNOWN_SKU"))
        if d.problems:
            results.append(Rejected(d.problems))
            continue
        assert d.store is not None and d.sku is not None and d.available is not None
        key = (stores[d.store], skus[d.sku])
        before = levels.get(key, 0)
        level = Level.UNCHANGED if key in levels and before == d.available else Level.CHANGED
        levels[key] = d.available
        if level is Level.CHANGED or key in changed:
            changed[key] = d.available
        results.append(StockResult(d.store, d.sku, level, before, d.available))
    if changed and not dry_run:
        upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = upsert(table(Inventory))
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["store_id", "sku_id"],
                set_={"available": stmt.excluded.available},
            ),
            [{"store_id": s, "sku_id": k, "available": n} for (s, k), n in changed.items()],
        )
    return results
