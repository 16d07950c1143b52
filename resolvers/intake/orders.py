"""Order intake against the database, a chunk of drafts at a time: skip client references
already imported, resolve the store, SKUs and sources, check what depends on them, then
number and insert every accepted order with a handful of bulk statements.

The caller owns the transaction (one per chunk). Each draft gets its own result: a rejected
draft is reported with every problem found and written nowhere, and never stops the others
of its chunk. ``import_order`` is the same for one record (the ``orderImport`` mutation),
raising IntakeRejected instead.

Concurrency: a writing chunk first takes the order-numbering lock (a PostgreSQL advisory
lock until commit; SQLite's write transactions already run one at a time), so that its
de-duplication and numbering see every order committed before it and concurrent intakes
of the same file create each order once.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.money import has_currency_precision, minor_units
from models import (
    Order,
    OrderStatus,
    OrderType,
    Sku,
    Source,
    Store,
)
from resolvers.errors import IntakeRejected, Problem
from resolvers.intake.order_record import OrderDraft, read_order
from resolvers.intake.reader import Rejected
from resolvers.intake.writes import (
    NUMBERING_LOCK,
    PlannedOrder,
    StoreRow,
    advisory_lock,
    insert_orders,
)
from resolvers.normalize import reference_key
from resolvers.order_fields import line_amounts, order_totals, search_keys


class Outcome(enum.StrEnum):
    IMPORTED = "IMPORTED"
    SKIPPED = "SKIPPED"  # the client reference is already imported
    VALID = "VALID"  # dry run: would be imported


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    client_reference: str
    # The new order's number, or the existing one's when skipped; None in a dry run.
    order_number: str | None = None
    order_id: int | None = None


OrderResult = IntakeResult | Rejected


async def import_order(
    session: AsyncSession, record: Mapping[str, Any], *, dry_run: bool = False
) -> IntakeResult:
    """Create the order of ``record`` in ``session``'s transaction, or skip it when its client
    reference is already imported; raise IntakeRejected when it is invalid.

    With ``dry_run`` everything is checked and nothing is written."""
    (result,) = await import_orders(session, [read_order(record)], dry_run=dry_run)
    if isinstance(result, Rejected):
        raise IntakeRejected.of(result.problems)
    return result


async def import_orders(
    session: AsyncSession, drafts: Sequence[OrderDraft], *, dry_run: bool = False
) -> list[OrderResult]:
    """One result per draft, in order: IMPORTED (SKIPPED when its client reference is in
    csdesk already, or earlier in the chunk), or Rejected. With ``dry_run`` nothing is
    written, accepted drafts are VALID, and a reference repeated in the chunk is SKIPPED
    without a number."""
    if not dry_run:
        await advisory_lock(session, NUMBERING_LOCK)
    results: list[OrderResult | None] = [None] * len(drafts)
    existing = await _existing_numbers(session, drafts)
    accepted: list[tuple[int, PlannedOrder]] = []
    first_of: dict[str, int] = {}  # reference key → index of the draft that imports it
    repeated: list[tuple[int, str, int]] = []  # (index, reference, index of the first)
    catalog = await _Catalog.load(session, drafts)
    for i, draft in enumerate(drafts):
        ref = draft.client_reference
        key = reference_key(ref) if ref is not None else ""
        if ref is not None and key in existing:
            results[i] = IntakeResult(Outcome.SKIPPED, ref, existing[key])
        elif ref is not None and key in first_of:
            # Imported earlier in this chunk: skipped like a reference already in csdesk,
            # whatever else the record holds (as if each record had its own transaction).
            repeated.append((i, ref, first_of[key]))
        elif (planned := catalog.plan(draft)) is None:
            results[i] = Rejected(draft.problems)
        elif dry_run:
            first_of[key] = i
            results[i] = IntakeResult(Outcome.VALID, planned.reference)
        else:
            first_of[key] = i
            accepted.append((i, planned))
    await insert_orders(session, [planned for _, planned in accepted])
    for i, planned in accepted:
        results[i] = IntakeResult(
            Outcome.IMPORTED, planned.reference, planned.number, planned.order_id
        )
    for i, ref, first in repeated:  # (in a dry run, the first has no number: None)
        imported = results[first]
        assert isinstance(imported, IntakeResult)
        results[i] = IntakeResult(Outcome.SKIPPED, ref, imported.order_number)
    done = [r for r in results if r is not None]
    assert len(done) == len(drafts)
    return done


async def _existing_numbers(session: AsyncSession, drafts: Sequence[OrderDraft]) -> dict[str, str]:
    """Reference key → number of the normal orders already holding the drafts' references."""
    keys = {reference_key(d.client_reference) for d in drafts if d.client_reference is not None}
    if not keys:
        return {}
    rows = await session.execute(
        select(Order.reference_key, Order.number)
        .where(Order.reference_key.in_(keys), Order.order_type == OrderType.NORMAL)
        .order_by(Order.id.desc())
    )
    # Oldest last, so that it wins: the first order imported with the reference.
    return {key: number for key, number in rows if key is not None}


class _Sku(NamedTuple):
    id: int
    code: str
    name: str
    image_url: str | None


@dataclass
class _Catalog:
    """The stores, sources and SKUs a chunk of drafts names, read once for the chunk."""

    stores: dict[str, StoreRow]
    sources: dict[str, int]  # code → id
    skus: dict[str, _Sku]
    first_source: int | None = field(init=False)

    def __post_init__(self) -> None:
        self.first_source = min(self.sources.values(), default=None)

    @classmethod
    async def load(cls, session: AsyncSession, drafts: Sequence[OrderDraft]) -> _Catalog:
        codes = {line.sku for d in drafts for line in d.lines if line.sku is not None}
        skus: dict[str, _Sku] = {}
        if codes:
            # Columns, not entities: a chunk names hundreds of SKUs.
            query = select(Sku.id, Sku.code, Sku.name, Sku.image_url).where(Sku.code.in_(codes))
            skus = {row.code: _Sku(*row) for row in await session.execute(query)}
        return cls(
            stores={
                row.code: StoreRow(*row)
                for row in await session.execute(
                    select(Store.id, Store.code, Store.currency, Store.language, Store.vat_country)
                )
            },
            sources={
                code: pk for code, pk in await session.execute(select(Source.code, Source.id))
            },
            skus=skus,
        )

    def plan(self, draft: OrderDraft) -> PlannedOrder | None:
        """The order and lines of a draft, or None after adding the draft's problems."""
        problems = draft.problems

        def add(path: tuple[str | int, ...], reason: str, code: str) -> None:
            problems.append(Problem(path, reason, code))

        currency, store = draft.currency, None
        if draft.store_code is not None:
            store = self.stores.get(draft.store_code)
            if store is None:
                add(("store",), f'unknown store "{draft.store_code}"', "UNKNOWN_STORE")
            elif currency is not None and currency != store.currency:
                add(
                    ("currency",),
                    f"{currency} given, the {store.code} store sells in {store.currency}",
                    "CURRENCY_MISMATCH",
                )
            else:
                currency = store.currency
        if currency is not None:
            for where, amount in draft.amounts:
                if not has_currency_precision(amount, currency):
                    add(
                        where,
                        f"{amount} has more decimals than {currency} allows "
                        f"({minor_units(currency)})",
                        "PRECISION",
                    )
        for line in draft.lines:
            if line.sku is not None and line.sku not in self.skus:
                add((*line.path, "sku"), f'unknown SKU "{line.sku}"', "UNKNOWN_SKU")
            if line.source is not None and line.source not in self.sources:
                add((*line.path, "source"), f'unknown source "{line.source}"', "UNKNOWN_SOURCE")
        if problems:
            return None
        assert store is not None and draft.client_reference is not None
        return self._build(draft, store, draft.client_reference)

    def _build(self, draft: OrderDraft, store: StoreRow, ref: str) -> PlannedOrder | None:
        """Expand the lines into one line per unit; compute and check the totals."""
        currency = store.currency
        units: list[dict[str, Any]] = []
        for line in draft.lines:
            assert line.sku is not None and line.price is not None and line.tax_rate is not None
            sku = self.skus[line.sku]
            source = self.sources[line.source] if line.source else self.first_source
            amounts = line_amounts(line.price, line.discount, line.tax_rate, currency)
            unit = {
                "sku_id": sku.id, "sku_code": sku.code, "product_name": sku.name,
                "image_url": sku.image_url, "tax_rate": line.tax_rate,
                "source_id": source, **amounts,
            }  # fmt: skip
            units.extend([unit] * line.quantity)  # one row each when inserted
        assert draft.shipping_amount is not None
        totals = order_totals(units, draft.shipping_amount, currency)
        grand = totals["grand_total"]
        if draft.grand_total is not None and draft.grand_total != grand:
            draft.problems.append(
                Problem(
                    ("grandTotal",),
                    f"{draft.grand_total} given, the lines and shipping add up to {grand}",
                    "TOTAL_MISMATCH",
                )
            )
            return None
        columns = draft.order_columns()
        order = {
            **columns,
            "language": draft.language or store.language,
            "store_id": store.id,
            "vat_country": store.vat_country,
            "order_type": OrderType.NORMAL,
            "status": OrderStatus.ORDER_REVIEW,
            "version": 1,
            **totals,
            "amount_due": grand,
            **search_keys(columns),
        }
        return PlannedOrder(draft, store, ref, order, units)
