"""Writing accepted orders: customers, numbers, orders, lines and history entries, in bulk,
and the advisory locks that serialise intakes on PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ActorKind,
    Base,
    Customer,
    HistoryEntry,
    HistoryKind,
    Line,
    LineStatus,
    Order,
)
from models.base import utcnow
from resolvers.intake.order_record import OrderDraft

FIRST_NUMBER = 100001
ACTOR_LABEL = "storefront"
_NUMBER_ATTEMPTS = 10
# PostgreSQL advisory lock keys (space, key) of intake: 0 the order numbering, 1 the catalog.
LOCK_SPACE = 7700
NUMBERING_LOCK = 0
CATALOG_LOCK = 1


class StoreRow(NamedTuple):
    """What an intake needs of a store (plain values: read once per chunk, used per order)."""

    id: int
    code: str
    currency: str
    language: str
    vat_country: str


@dataclass
class PlannedOrder:
    """An accepted draft, its order row and its unit lines, ready to insert."""

    draft: OrderDraft
    store: StoreRow
    reference: str
    order: dict[str, Any]
    units: list[dict[str, Any]]
    number: str | None = None
    order_id: int | None = None


def table(model: type[Base]) -> Table:
    """A model's table: Core inserts skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


async def advisory_lock(session: AsyncSession, key: int) -> None:
    """On PostgreSQL, hold intake lock ``key`` until the transaction ends. SQLite needs
    nothing: its write transactions (BEGIN IMMEDIATE) already run one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": LOCK_SPACE, "key": key}
        )


async def insert_orders(session: AsyncSession, planned: list[PlannedOrder]) -> None:
    """Customers, orders, lines and history entries of the planned orders, in bulk."""
    if not planned:
        return
    customers = await _customer_ids(session, planned)
    for p in planned:
        customer = p.draft.customer
        assert customer is not None and customer.external_id is not None
        p.order["customer_id"] = customers[customer.external_id]
    # Every column given, defaults included: per-row default functions cost in bulk.
    now = utcnow()
    defaults = {"created_at": now, "updated_at": now, "exchange_count": 0, "reshipment_count": 0}
    for p in planned:
        p.order.update(defaults)
    await _insert_numbered(session, planned)
    await session.execute(
        insert(table(Line)),
        [
            {
                **unit,
                "order_id": p.order_id,
                "number": n,
                "status": LineStatus.ORDERED,
                "exchanged": False,
            }
            for p in planned
            for n, unit in enumerate(p.units, start=1)
        ],
    )
    await session.execute(
        insert(table(HistoryEntry)),
        [
            {
                "order_id": p.order_id,
                "at": p.order["purchased_at"],
                "kind": HistoryKind.ORDER_PLACED,
                "message": f"Order placed in the {p.store.code} store ({p.reference})",
                "actor_kind": ActorKind.SYSTEM,
                "actor_label": ACTOR_LABEL,
                "details": {
                    "reference": p.reference,
                    "lines": len(p.units),
                    "grandTotal": str(p.order["grand_total"]),
                    "currency": p.store.currency,
                },
            }
            for p in planned
        ],
    )


async def _customer_ids(session: AsyncSession, planned: list[PlannedOrder]) -> dict[str, int]:
    """Storefront customer id → csdesk id; customers not known yet are created from the
    first record that names them (a known customer is reused unchanged)."""
    new: dict[str, dict[str, Any]] = {}
    for p in planned:
        c = p.draft.customer
        assert c is not None and c.external_id is not None
        new.setdefault(
            c.external_id,
            {"external_id": c.external_id, "type": c.type, "name": c.name, "email": c.email,
             "phone": c.phone},
        )  # fmt: skip
    ids = select(Customer.external_id, Customer.id).where(Customer.external_id.in_(new))
    known = {external: pk for external, pk in await session.execute(ids)}
    missing = [row for external, row in new.items() if external not in known]
    if missing:
        upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        # A concurrent writer may create one meanwhile: keep theirs.
        stmt = upsert(table(Customer)).on_conflict_do_nothing(index_elements=["external_id"])
        await session.execute(stmt, missing)
        known = {external: pk for external, pk in await session.execute(ids)}
    return known


async def _insert_numbered(session: AsyncSession, planned: list[PlannedOrder]) -> None:
    """Insert the orders with the next sequential numbers, in the chunk's order. Intakes
    take numbers under the numbering lock; when another writer (e.g. the seed) took one
    first, read the highest number again and retry."""
    for _ in range(_NUMBER_ATTEMPTS):
        highest = await session.scalar(select(func.max(Order.number_seq)))
        start = max(highest or 0, FIRST_NUMBER - 1) + 1
        rows = [
            {**p.order, "number": str(seq), "number_seq": seq}
            for seq, p in enumerate(planned, start=start)
        ]
        try:
            async with session.begin_nested():
                # A plain executemany, not INSERT … RETURNING: on SQLite that runs one
                # statement per row. The ids come back by number, which is unique.
                await session.execute(insert(table(Order)), rows)
        except IntegrityError:
            taken = select(Order.id).where(Order.number_seq >= start).limit(1)
            if await session.scalar(taken) is None:
                raise  # not a numbering collision
            continue
        numbers = [row["number"] for row in rows]
        query = select(Order.number, Order.id).where(Order.number.in_(numbers))
        order_id = {number: pk for number, pk in await session.execute(query)}
        for p, number in zip(planned, numbers, strict=True):
            p.number, p.order_id = number, order_id[number]
        return
    raise RuntimeError(f"no free order numbers after {_NUMBER_ATTEMPTS} attempts")
