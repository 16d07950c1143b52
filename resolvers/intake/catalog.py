"""Catalog intake against the database: stores, sources, styles and their SKUs, upserted by
code a chunk of records at a time.

Each record is compared with what csdesk holds, or with what an earlier record of the chunk
left: CREATED, UPDATED or UNCHANGED; a rejected record changes nothing. A record describes
the whole object: optional fields it leaves out are cleared. Nothing is ever deleted (past
orders point at their SKUs); SKUs that a style record does not list are kept as they are.

Refused, because they would change the meaning of orders already taken: moving a SKU to
another style (exchanges stay within a style), and a new currency for a store that has
orders. Catalog intakes run one at a time (an advisory lock on PostgreSQL, SQLite's single
writer), so that two of them never insert the same code.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Order, Sku, Source, Store, Style
from resolvers.errors import Problem
from resolvers.intake.catalog_record import CatalogDraft, SourceDraft, StoreDraft, StyleDraft
from resolvers.intake.reader import Rejected
from resolvers.intake.writes import CATALOG_LOCK, advisory_lock
from resolvers.intake.writes import table as sql_table

Values = dict[str, Any]
_STORE_COLUMNS = ("code", "name", "currency", "language", "vat_country")
_SOURCE_COLUMNS = ("code", "name", "accepts_returns")
_STYLE_COLUMNS = ("code", "name")
_SKU_COLUMNS = ("code", "style_id", "name", "attributes", "image_url", "list_price")


class Change(enum.StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"


@dataclass(frozen=True)
class CatalogResult:
    kind: str
    code: str
    change: Change
    skus_created: int = 0
    skus_updated: int = 0


@dataclass
class _Table:
    """The rows of one table that a chunk names, by code: as csdesk holds them (``stored``,
    with their ids) and as the chunk's records so far leave them (``now``)."""

    stored: dict[str, Values] = field(default_factory=dict)
    now: dict[str, Values] = field(default_factory=dict)

    def apply(self, code: str, values: Values) -> Change:
        current = self.now.get(code)
        if current is None:
            self.now[code] = dict(values)
            return Change.CREATED
        # Decimals compare by value: 24.0 and 24.0000 are one price.
        if all(current.get(k) == v for k, v in values.items()):
            return Change.UNCHANGED
        self.now[code] = {**current, **values}
        return Change.UPDATED

    def created(self) -> list[Values]:
        return [v for code, v in self.now.items() if code not in self.stored]

    def updated(self, columns: tuple[str, ...]) -> list[Values]:
        """Changed rows as ``{"id": …, column: value}`` for a bulk update by primary key."""
        return [
            {"id": self.stored[code]["id"], **{c: v[c] for c in columns if c in v}}
            for code, v in self.now.items()
            if code in self.stored and any(v.get(c) != self.stored[code].get(c) for c in columns)
        ]


async def upsert_catalog(
    session: AsyncSession, drafts: Sequence[CatalogDraft], *, dry_run: bool = False
) -> list[CatalogResult | Rejected]:
    """One result per draft, in order; with ``dry_run`` nothing is written."""
    if not dry_run:
        await advisory_lock(session, CATALOG_LOCK)
    state = await _State.load(session, drafts)
    results: list[CatalogResult | Rejected] = []
    for draft in drafts:
        result = await state.apply(session, draft) if not draft.problems else None
        results.append(result or Rejected(draft.problems))
    if not dry_run:
        await state.write(session)
    return results


async def _table(
    session: AsyncSession, model: Any, codes: set[str], columns: tuple[str, ...]
) -> _Table:
    if not codes:
        return _Table()
    rows = await session.execute(
        select(model.id, *(getattr(model, c) for c in columns)).where(model.code.in_(codes))
    )
    stored = {row.code: {"id": row.id, **{c: getattr(row, c) for c in columns}} for row in rows}
    return _Table(stored, {code: dict(values) for code, values in stored.items()})


@dataclass
class _State:
    stores: _Table
    sources: _Table
    styles: _Table
    skus: _Table
    # Whether a store has orders (its currency may not change then), asked once per store.
    has_orders: dict[int, bool] = field(default_factory=dict)

    @classmethod
    async def load(cls, session: AsyncSession, drafts: Sequence[CatalogDraft]) -> _State:
        codes: dict[str, set[str]] = {"store": set(), "source": set(), "style": set()}
        sku_codes: set[str] = set()
        for d in drafts:
            if d.kind is not None and d.code is not None:
                codes[d.kind].add(d.code)
            if isinstance(d.item, StyleDraft):
                sku_codes.update(s.code for s in d.item.skus)
        skus = await _table(session, Sku, sku_codes, _SKU_COLUMNS)
        # The styles of the known SKUs, by code: a SKU's style is compared by code.
        style_ids = {v["style_id"] for v in skus.stored.values()}
        code_of: dict[int, str] = {}
        if style_ids:
            rows = await session.execute(
                select(Style.id, Style.code).where(Style.id.in_(style_ids))
            )
            code_of = {pk: code for pk, code in rows}
        for values in (*skus.stored.values(), *skus.now.values()):
            values["style_code"] = code_of[values["style_id"]]
        return cls(
            stores=await _table(session, Store, codes["store"], _STORE_COLUMNS),
            sources=await _table(session, Source, codes["source"], _SOURCE_COLUMNS),
            styles=await _table(session, Style, codes["style"], _STYLE_COLUMNS),
            skus=skus,
        )

    async def apply(self, session: AsyncSession, draft: CatalogDraft) -> CatalogResult | None:
        """The record's change; None after adding its problems when it is refused."""
        item = draft.item
        if isinstance(item, StoreDraft):
            stored = self.stores.stored.get(item.code)
            if (
                stored is not None
                and stored["currency"] != item.currency
                and await self._has_orders(session, stored["id"])
            ):
                draft.problems.append(
                    Problem(
                        ("currency",),
                        f"the {item.code} store has orders in {stored['currency']}; its "
                        "currency cannot change",
                        "CURRENCY_LOCKED",
                    )
                )
                return None
            return CatalogResult("store", item.code, self.stores.apply(item.code, asdict(item)))
        if isinstance(item, SourceDraft):
            change = self.sources.apply(item.code, asdict(item))
            return CatalogResult("source", item.code, change)
        assert isinstance(item, StyleDraft)
        return self._style(draft, item)

    async def _has_orders(self, session: AsyncSession, store_id: int) -> bool:
        if store_id not in self.has_orders:
            found = await session.scalar(
                select(Order.id).where(Order.store_id == store_id).limit(1)
            )
            self.has_orders[store_id] = found is not None
        return self.has_orders[store_id]

    def _style(self, draft: CatalogDraft, item: StyleDraft) -> CatalogResult | None:
        for sku in item.skus:
            current = self.skus.now.get(sku.code)
            if current is not None and current["style_code"] != item.code:
                draft.problems.append(
                    Problem(
                        (*sku.path, "code"),
                        f'SKU "{sku.code}" belongs to the style "{current["style_code"]}"; a '
                        "SKU cannot move to another style",
                        "SKU_OF_ANOTHER_STYLE",
                    )
                )
        if draft.problems:
            return None
        change = self.styles.apply(item.code, {"code": item.code, "name": item.name})
        created = updated = 0
        for sku in item.skus:
            values = {
                "code": sku.code, "style_code": item.code, "name": sku.name,
                "attributes": sku.attributes, "image_url": sku.image_url,
                "list_price": sku.list_price,
            }  # fmt: skip
            sku_change = self.skus.apply(sku.code, values)
            created += sku_change is Change.CREATED
            updated += sku_change is Change.UPDATED
        if change is Change.UNCHANGED and (created or updated):
            change = Change.UPDATED
        return CatalogResult("style", item.code, change, created, updated)

    async def write(self, session: AsyncSession) -> None:
        """Insert what the records created and update what they changed, table by table."""
        for table, model, columns in (
            (self.stores, Store, _STORE_COLUMNS),
            (self.sources, Source, _SOURCE_COLUMNS),
            (self.styles, Style, _STYLE_COLUMNS),
        ):
            new = table.created()
            if new:
                # A plain executemany (INSERT … RETURNING runs row by row on SQLite), then
                # the new ids by code.
                await session.execute(
                    insert(sql_table(model)), [{c: v[c] for c in columns} for v in new]
                )
                codes = [v["code"] for v in new]
                rows = await session.execute(
                    select(model.id, model.code).where(model.code.in_(codes))
                )
                for pk, code in rows:
                    table.now[code]["id"] = pk
            changed = table.updated(columns)
            if changed:
                await session.execute(update(model), changed)
        style_id = {code: v["id"] for code, v in self.styles.now.items()}
        for v in self.skus.now.values():
            v["style_id"] = style_id.get(v["style_code"], v.get("style_id"))
        new_skus = self.skus.created()
        if new_skus:
            await session.execute(
                insert(sql_table(Sku)), [{c: v[c] for c in _SKU_COLUMNS} for v in new_skus]
            )
        changed = self.skus.updated(_SKU_COLUMNS[2:])
        if changed:
            await session.execute(update(Sku), changed)
