"""Order intake against the database: resolve a draft's store, SKUs and sources, check what
depends on them, skip client references already imported, number and insert the order.

The caller owns the transaction (one per record); a rejected record raises
:class:`IntakeRejected` carrying every problem found, so that the transaction rolls back
and nothing of it is written.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.money import has_currency_precision, minor_units
from models import (
    ActorKind,
    Customer,
    HistoryEntry,
    HistoryKind,
    Line,
    LineStatus,
    Order,
    OrderStatus,
    OrderType,
    Sku,
    Source,
    Store,
)
from resolvers.errors import IntakeRejected, Problem
from resolvers.intake.order_record import OrderDraft, read_order
from resolvers.intake.reader import Path
from resolvers.normalize import reference_key
from resolvers.order_fields import line_amounts, order_totals, search_keys

FIRST_NUMBER = 100001
ACTOR_LABEL = "storefront"
_NUMBER_ATTEMPTS = 10
# PostgreSQL advisory lock keys (space, key) of intake; key 0 guards the order numbering.
LOCK_SPACE = 7700
_NUMBERING_LOCK = 0


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


async def import_order(
    session: AsyncSession, record: Mapping[str, Any], *, dry_run: bool = False
) -> IntakeResult:
    """Create the order of ``record`` in ``session``'s transaction, or skip it when its client
    reference is already imported; raise IntakeRejected when it is invalid.

    With ``dry_run`` everything is checked and nothing is written."""
    draft = read_order(record)
    ref = draft.client_reference
    if ref is not None:
        if not dry_run:
            await _lock_reference(session, ref)
        existing = await _existing_number(session, ref)
        if existing is not None:
            return IntakeResult(Outcome.SKIPPED, ref, existing)
    resolved = _Resolved(draft)
    await resolved.resolve(session)
    if not draft.problems:
        resolved.build()
    if draft.problems:
        raise IntakeRejected.of(draft.problems)
    assert ref is not None
    if dry_run:
        return IntakeResult(Outcome.VALID, ref)
    try:
        order = await _create(session, resolved)
    except _AlreadyImported as exc:
        return IntakeResult(Outcome.SKIPPED, ref, exc.number)
    return IntakeResult(Outcome.IMPORTED, ref, order.number, order.id)


@dataclass
class _Resolved:
    """A draft with its store, SKUs and sources looked up, expanded to one line per unit."""

    draft: OrderDraft
    store: Store | None = None
    skus: dict[str, Sku] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    units: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)

    def add(self, path: Path, reason: str, code: str) -> None:
        self.draft.problems.append(Problem(path, reason, code))

    async def resolve(self, session: AsyncSession) -> None:
        """Look up the store, SKUs and sources; check the currency and amount precision."""
        draft = self.draft
        currency = draft.currency
        if draft.store_code is not None:
            self.store = await session.scalar(select(Store).where(Store.code == draft.store_code))
            if self.store is None:
                self.add(("store",), f'unknown store "{draft.store_code}"', "UNKNOWN_STORE")
            elif currency is not None and currency != self.store.currency:
                self.add(
                    ("currency",),
                    f"{currency} given, the {self.store.code} store sells in {self.store.currency}",
                    "CURRENCY_MISMATCH",
                )
            else:
                currency = self.store.currency
        if currency is not None:
            for where, amount in draft.amounts:
                if not has_currency_precision(amount, currency):
                    self.add(
                        where,
                        f"{amount} has more decimals than {currency} allows "
                        f"({minor_units(currency)})",
                        "PRECISION",
                    )
        codes = {line.sku for line in draft.lines if line.sku is not None}
        if codes:
            rows = await session.scalars(select(Sku).where(Sku.code.in_(codes)))
            self.skus = {sku.code: sku for sku in rows}
        self.sources = {s.code: s for s in await session.scalars(select(Source))}
        for line in draft.lines:
            path = line.path
            if line.sku is not None and line.sku not in self.skus:
                self.add((*path, "sku"), f'unknown SKU "{line.sku}"', "UNKNOWN_SKU")
            if line.source is not None and line.source not in self.sources:
                self.add((*path, "source"), f'unknown source "{line.source}"', "UNKNOWN_SOURCE")

    def build(self) -> None:
        """Expand the lines into one line per unit and compute the order totals."""
        assert self.store is not None
        draft = self.draft
        currency = self.store.currency
        first = min(self.sources.values(), key=lambda s: s.id, default=None)
        for line in draft.lines:
            assert line.sku is not None and line.price is not None and line.tax_rate is not None
            sku = self.skus[line.sku]
            source = self.sources[line.source] if line.source else first
            amounts = line_amounts(line.price, line.discount, line.tax_rate, currency)
            unit = {
                "sku_id": sku.id, "sku_code": sku.code, "product_name": sku.name,
                "image_url": sku.image_url, "tax_rate": line.tax_rate,
                "source_id": source.id if source else None, **amounts,
            }  # fmt: skip
            self.units.extend(dict(unit) for _ in range(line.quantity))
        assert draft.shipping_amount is not None
        self.totals = order_totals(self.units, draft.shipping_amount, currency)
        grand = self.totals["grand_total"]
        if draft.grand_total is not None and draft.grand_total != grand:
            self.add(
                ("grandTotal",),
                f"{draft.grand_total} given, the lines and shipping add up to {grand}",
                "TOTAL_MISMATCH",
            )


# -- writing -------------------------------------------------------------------------------


class _AlreadyImported(Exception):
    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


async def _lock_reference(session: AsyncSession, ref: str) -> None:
    """On PostgreSQL, serialise intakes of one client reference until commit.

    SQLite needs nothing: write transactions (BEGIN IMMEDIATE) already run one at a time."""
    digest = hashlib.blake2b(reference_key(ref).encode(), digest_size=4).digest()
    await _advisory_lock(session, int.from_bytes(digest, "big", signed=True))


async def _advisory_lock(session: AsyncSession, key: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": LOCK_SPACE, "key": key}
        )


async def _existing_number(session: AsyncSession, ref: str) -> str | None:
    """The number of the order already imported with this client reference (case-insensitive)."""
    number: str | None = await session.scalar(
        select(Order.number)
        .where(Order.reference_key == reference_key(ref), Order.order_type == OrderType.NORMAL)
        .order_by(Order.id)
        .limit(1)
    )
    return number


async def _customer(session: AsyncSession, draft: OrderDraft) -> Customer:
    """The customer with the storefront's id, created from the record when new."""
    c = draft.customer
    assert c is not None
    query = select(Customer).where(Customer.external_id == c.external_id)
    customer = await session.scalar(query)
    if customer is not None:
        return customer
    customer = Customer(
        external_id=c.external_id, type=c.type, name=c.name, email=c.email, phone=c.phone
    )
    try:
        async with session.begin_nested():
            session.add(customer)
    except IntegrityError:  # created meanwhile by a concurrent intake
        customer = (await session.scalars(query)).one()
    return customer


async def _create(session: AsyncSession, resolved: _Resolved) -> Order:
    store, draft = resolved.store, resolved.draft
    assert store is not None
    o = draft.order_columns()
    ref = o["client_reference"]
    customer = await _customer(session, draft)
    values = {
        **o,
        "language": draft.language or store.language,
        "store_id": store.id,
        "vat_country": store.vat_country,
        "customer_id": customer.id,
        "order_type": OrderType.NORMAL,
        "status": OrderStatus.ORDER_REVIEW,
        "version": 1,
        **resolved.totals,
        "amount_due": resolved.totals["grand_total"],
        **search_keys(o),
    }
    order = await _insert_numbered(session, values, ref)
    await session.execute(
        insert(Line),
        [
            {**unit, "order_id": order.id, "number": n, "status": LineStatus.ORDERED}
            for n, unit in enumerate(resolved.units, start=1)
        ],
    )
    session.add(
        HistoryEntry(
            order_id=order.id,
            at=o["purchased_at"],
            kind=HistoryKind.ORDER_PLACED,
            message=f"Order placed in the {store.code} store ({ref})",
            actor_kind=ActorKind.SYSTEM,
            actor_label=ACTOR_LABEL,
            details={
                "reference": ref,
                "lines": len(resolved.units),
                "grandTotal": str(resolved.totals["grand_total"]),
                "currency": store.currency,
            },
        )
    )
    await session.flush()
    return order


async def _insert_numbered(session: AsyncSession, values: dict[str, Any], ref: str) -> Order:
    """Insert the order with the next sequential number; when a concurrent writer took that
    number first (possible on PostgreSQL), check the reference again and retry."""
    # Intakes take numbers one at a time; the retry covers other writers (e.g. the seed).
    await _advisory_lock(session, _NUMBERING_LOCK)
    for _ in range(_NUMBER_ATTEMPTS):
        highest = await session.scalar(select(func.max(Order.number_seq)))
        seq = max(highest or 0, FIRST_NUMBER - 1) + 1
        order = Order(number=str(seq), number_seq=seq, **values)
        try:
            async with session.begin_nested():
                session.add(order)
        except IntegrityError:
            existing = await _existing_number(session, ref)
            if existing is not None:
                raise _AlreadyImported(existing) from None
            continue
        return order
    raise RuntimeError(f"no free order number after {_NUMBER_ATTEMPTS} attempts")
