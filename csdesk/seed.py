"""Deterministic demo data: ``seed_database(db, orders=N, seed=S)`` fills an empty, migrated
database with stores, catalogue, users, customers and N orders with their post-sales history.

Everything stored is a function of (orders, seed): one ``random.Random(seed)`` drives the
generation, times are relative to the fixed ``ANCHOR``, and primary keys are assigned here.
Orders are made and inserted chunk by chunk (bulk executemany inserts, one transaction per
chunk), so memory stays flat whatever N is. For large N a child process (``python -m
csdesk.seed``) makes the chunks, bind-processed, while this one inserts them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import pickle
import random
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Table, func, insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from auth.passwords import hash_password
from core.db import WRITE_OPTION, Database, analyze
from csdesk import seed_data as data
from csdesk.seed_orders import Chunk, OrderFactory
from models import (
    Base,
    role_stores,
    search,
)

CHUNK_ORDERS = 5_000
# From this many orders on, a child process generates while this one inserts.
PARALLEL_MIN_ORDERS = 20_000
# The tables a chunk of orders fills, and those its children check foreign keys against.
BATCH_TABLES = (
    "customer", "order", "shipment", "line", "postsales_action", "postsales_action_line",
    "refund", "history_entry", "inventory",
)  # fmt: skip
PARENT_TABLES = {"customer", "order", "line", "postsales_action"}
USERS_CREATED = data.ANCHOR - dt.timedelta(days=760)
TABLES = Base.metadata.tables
# Tables whose rows mean "this database is not empty": seeding would collide with them.
DATA_TABLES = tuple(
    TABLES[name]
    for name in ("order", "store", "source", "sku", "customer", "user", "role", "reason", "setting")
)


class SeedError(Exception):
    """The database cannot be seeded (schema missing, or it already holds data)."""


@dataclass
class SeedSummary:
    """What a seed wrote, and how long it took."""

    orders: int = 0
    exchange_orders: int = 0
    reshipment_orders: int = 0
    lines: int = 0
    customers: int = 0
    postsales_actions: int = 0
    refunds: int = 0
    history_entries: int = 0
    stores: int = 0
    sources: int = 0
    styles: int = 0
    skus: int = 0
    inventory: int = 0
    roles: int = 0
    users: int = 0
    reasons: int = 0
    elapsed_seconds: float = 0.0

    def text(self) -> str:
        return (
            f"seeded {self.orders:,} orders (+{self.exchange_orders:,} exchanges, "
            f"+{self.reshipment_orders:,} reshipments), {self.lines:,} lines, "
            f"{self.customers:,} customers, {self.postsales_actions:,} post-sales actions, "
            f"{self.refunds:,} refunds, {self.history_entries:,} history entries, "
            f"{self.skus:,} SKUs in {self.styles} styles, {self.stores} stores, "
            f"{self.users} users in {self.elapsed_seconds:.1f} s"
        )


@dataclass(frozen=True)
class DatabaseState:
    """What a database holds: missing csdesk tables, and row counts of the data tables."""

    missing_tables: tuple[str, ...]
    counts: dict[str, int]

    @property
    def is_empty(self) -> bool:
        return not self.missing_tables and not any(self.counts.values())

    def describe(self) -> str:
        held = [f"{n:,} {t} rows" for t, n in self.counts.items() if n]
        return ", ".join(held) or "nothing"


async def database_state(db: Database) -> DatabaseState:
    """Inspect ``db``: which csdesk tables are missing and how many rows the data tables hold."""
    async with db.engine.connect() as conn:
        names = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        missing = tuple(sorted(t.name for t in Base.metadata.sorted_tables if t.name not in names))
        counts: dict[str, int] = {}
        if not missing:
            for table in DATA_TABLES:
                counts[table.name] = (
                    await conn.execute(select(func.count()).select_from(table))
                ).scalar_one()
    return DatabaseState(missing, counts)


class Progress:
    """Progress on stderr every ~5 %, then a summary line; silent when quiet."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.quiet = total, quiet
        self.started = time.perf_counter()
        self.next_percent = 5

    def update(self, done: int) -> None:
        percent = done * 100 // self.total
        if self.quiet or (percent < self.next_percent and done < self.total):
            return
        self.next_percent = percent - percent % 5 + 5
        elapsed = time.perf_counter() - self.started
        rate = done / elapsed if elapsed else 0.0
        print(
            f"csdesk seed: orders {done:,}/{self.total:,} ({percent}%) "
            f"in {elapsed:.1f} s, {rate:,.0f} orders/s",
            file=sys.stderr,
            flush=True,
        )

    def finish(self, summary: SeedSummary) -> None:
        if not self.quiet:
            print(f"csdesk seed: {summary.text()}", file=sys.stderr, flush=True)


async def seed_database(
    db: Database, *, orders: int, seed: int = 1, quiet: bool = False
) -> SeedSummary:
    """Fill the empty, migrated ``db`` with demo data: ``orders`` orders made from ``seed``."""
    if orders < 1:
        raise ValueError(f"orders must be at least 1, got {orders}")
    started = time.perf_counter()
    state = await database_state(db)
    if state.missing_tables:
        raise SeedError(
            f"the database has no csdesk schema (missing {', '.join(state.missing_tables)}): "
            "run `csdesk db upgrade` first"
        )
    if not state.is_empty:
        raise SeedError(f"the database is not empty (it holds {state.describe()})")
    factory = OrderFactory(random.Random(seed), seed, orders)
    summary = SeedSummary()
    progress = Progress(orders, quiet)
    engine = db.engine.execution_options(**{WRITE_OPTION: True})
    postgres = db.engine.dialect.name == "postgresql"
    source = _BatchSource(factory, Encoder(db.engine.dialect), seed, orders)
    try:
        passwords = {pw: hash_password(pw) for *_, pw in data.USERS if pw is not None}
        async with engine.begin() as conn:
            await _insert_reference(conn, factory, passwords, summary, analyze=postgres)
        async with engine.begin() as conn:
            for statement in search.suspend_statements(db.engine.dialect.name):
                await conn.exec_driver_sql(statement)
        done = 0
        while (batch := await source.next()) is not None:
            async with engine.begin() as conn:
                # PostgreSQL plans its foreign-key checks once per connection: with statistics
                # of empty tables those plans scan sequentially, and inserts slow to a crawl.
                await _insert_batch(conn, batch, analyze=postgres and not done)
            _count(summary, batch)
            done += batch.normal_orders
            progress.update(done)
    finally:
        await source.close()
        async with engine.begin() as conn:
            for statement in search.restore_statements(db.engine.dialect.name):
                await conn.exec_driver_sql(statement)
    if postgres:
        async with engine.begin() as conn:
            await _reset_sequences(conn)
    await analyze(db)
    summary.elapsed_seconds = time.perf_counter() - started
    progress.finish(summary)
    return summary


@dataclass
class Batch:
    """The rows of a chunk as the DBAPI takes them (see Encoder), table by table."""

    rows: dict[str, list[tuple[Any, ...]]]
    normal_orders: int
    exchange_orders: int
    reshipment_orders: int


class Encoder:
    """Applies each column's bind processor for the dialect, giving tuples in column order.

    That is what ``Connection.execute(insert(table), dicts)`` does for every row; done where
    the rows are made, it can run in the generator process, in parallel with the inserts."""

    def __init__(self, dialect: Dialect) -> None:
        self.drivername = f"{dialect.name}+{dialect.driver}"
        # SQLite keeps NUMERIC as binary floats and checks "gross = net + tax" in floats: bind
        # the float sum, as resolvers.ledger does, or 3.40 + 0.65 = 4.05 fails the check.
        self.float_gross = dialect.name == "sqlite"
        self.columns = {
            name: [(c.key, c.type.dialect_impl(dialect).bind_processor(dialect))
                   for c in TABLES[name].c]
            for name in BATCH_TABLES
        }  # fmt: skip

    def encode(self, chunk: Chunk) -> Batch:
        rows = {}
        for name, dicts in chunk.tables().items():
            columns = self.columns[name]
            if name == "refund" and self.float_gross:
                dicts = [{**r, "gross": float(r["net"]) + float(r["tax"])} for r in dicts]
            rows[name] = [
                tuple([row[k] if proc is None else proc(row[k]) for k, proc in columns])
                for row in dicts
            ]
        return Batch(rows, chunk.normal_orders, chunk.exchange_orders, chunk.reshipment_orders)


class _BatchSource:
    """The batches of orders, made here or, for large seeds, by a child process (``python -m
    csdesk.seed``) so that making them overlaps the inserts. Either way one sequential
    generator makes them: the data is the same."""

    def __init__(self, factory: OrderFactory, encoder: Encoder, seed: int, orders: int) -> None:
        self.factory, self.encoder, self.seed, self.orders = factory, encoder, seed, orders
        self.start, self.size = 0, CHUNK_ORDERS
        self.proc: asyncio.subprocess.Process | None = None

    async def next(self) -> Batch | None:
        if self.start >= self.orders:
            return None
        end = min(self.orders, self.start + self.size)
        if self.orders < PARALLEL_MIN_ORDERS:
            batch = self.encoder.encode(self.factory.chunk(self.start, end))
        else:
            batch = await self._receive()
        self.start = end
        return batch

    async def _receive(self) -> Batch:
        if self.proc is None:
            # The child imports csdesk from wherever this process does.
            path = os.pathsep.join(p for p in sys.path if p)
            args = (self.seed, self.orders, self.size, self.encoder.drivername)
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "csdesk.seed", *map(str, args),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path},
            )  # fmt: skip
        assert self.proc.stdout is not None
        try:
            size = int.from_bytes(await self.proc.stdout.readexactly(8), "big")
            batch = pickle.loads(await self.proc.stdout.readexactly(size))
        except asyncio.IncompleteReadError:
            _, err = await self.proc.communicate()
            raise SeedError(
                f"the order generator (python -m csdesk.seed) stopped with exit code "
                f"{self.proc.returncode}: {err.decode(errors='replace').strip()}"
            ) from None
        assert isinstance(batch, Batch)
        return batch

    async def close(self) -> None:
        if self.proc is not None:
            if self.proc.returncode is None and self.start < self.orders:
                self.proc.kill()
            await self.proc.communicate()


def _generate(seed: int, orders: int, size: int, drivername: str) -> None:
    """The child of _BatchSource: every batch in order, pickled, length-prefixed, to stdout."""
    encoder = Encoder(create_async_engine(f"{drivername}://").dialect)
    out = sys.stdout.buffer
    factory = OrderFactory(random.Random(seed), seed, orders)
    for start in range(0, orders, size):
        batch = encoder.encode(factory.chunk(start, min(orders, start + size)))
        payload = pickle.dumps(batch, protocol=5)
        out.write(len(payload).to_bytes(8, "big"))
        out.write(payload)
    out.flush()


async def _bulk(
    conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]], analyze: bool = False
) -> None:
    if rows:
        await conn.execute(insert(table), list(rows))
        if analyze:
            await conn.exec_driver_sql(f'ANALYZE "{table.name}"')


async def _insert_reference(
    conn: AsyncConnection,
    f: OrderFactory,
    passwords: dict[str, str],
    summary: SeedSummary,
    analyze: bool,
) -> None:
    """Stores, sources, catalogue, stock, roles, users, reasons and settings."""
    stores = [
        {"id": f.store_ids[s.code], "code": s.code, "name": s.name, "currency": s.currency,
         "language": s.language, "vat_country": s.vat_country}
        for s in data.STORES
    ]  # fmt: skip
    sources = [
        {"id": f.source_ids[code], "code": code, "name": name, "accepts_returns": accepts}
        for code, name, accepts in data.SOURCES
    ]
    roles, role_store_rows = [], []
    for i, (name, level, permissions, access, codes) in enumerate(data.ROLES, start=1):
        roles.append({"id": i, "name": name, "level": level, "store_access": access,
                      "permissions": [p.value for p in permissions]})  # fmt: skip
        role_store_rows += [{"role_id": i, "store_id": f.store_ids[c]} for c in codes]
    role_ids = {r["name"]: r["id"] for r in roles}
    users = []
    for username, display, role, zone, password in data.USERS:
        # The integration user signs in with API tokens only: its password is random.
        pw_hash = passwords[password] if password else hash_password(_random_secret())
        users.append({"id": f.user_ids[username], "username": username, "display_name": display,
                      "role_id": role_ids[role], "time_zone": zone, "active": True,
                      "password_hash": pw_hash, "created_at": USERS_CREATED})  # fmt: skip
    reasons = [
        {
            "id": 0,
            "kind": kind,
            "code": code,
            "label": label,
            "position": pos,
            "active": True,
            "labels": data.REASON_LABELS.get((kind, code), {}),
        }
        for kind, items in data.REASONS.items()
        for pos, (code, label) in enumerate(items, start=1)
    ]
    for i, reason in enumerate(reasons, start=1):
        reason["id"] = i
    settings = [
        {"key": k, "value": v, "updated_at": USERS_CREATED} for k, v in data.SETTINGS.items()
    ]
    for table, rows in (
        (TABLES["store"], stores), (TABLES["source"], sources), (TABLES["style"], f.style_rows),
        (TABLES["sku"], data.sku_rows(f.skus)),
        (TABLES["role"], roles), (role_stores, role_store_rows), (TABLES["user"], users),
        (TABLES["reason"], reasons), (TABLES["setting"], settings),
    ):  # fmt: skip
        await _bulk(conn, table, rows, analyze)
    summary.stores, summary.sources, summary.styles = len(stores), len(sources), len(f.style_rows)
    summary.skus, summary.roles = len(f.skus), len(roles)
    summary.users, summary.reasons = len(users), len(reasons)


def _random_secret() -> str:
    import secrets

    return secrets.token_urlsafe(32)


async def _insert_batch(conn: AsyncConnection, batch: Batch, analyze: bool) -> None:
    for name, rows in batch.rows.items():
        if not rows:
            continue
        table = TABLES[name]
        keys = [c.key for c in table.c]
        statement = insert(table).compile(dialect=conn.dialect, column_keys=keys)
        if list(statement.positiontup or ()) != keys:
            raise RuntimeError(f"unexpected parameter order for {name}")
        await conn.exec_driver_sql(statement.string, rows)
        if analyze and name in PARENT_TABLES:
            await conn.exec_driver_sql(f'ANALYZE "{name}"')


def _count(summary: SeedSummary, batch: Batch) -> None:
    summary.orders += batch.normal_orders
    summary.exchange_orders += batch.exchange_orders
    summary.reshipment_orders += batch.reshipment_orders
    rows = batch.rows
    summary.lines += len(rows["line"])
    summary.customers += len(rows["customer"])
    summary.postsales_actions += len(rows["postsales_action"])
    summary.refunds += len(rows["refund"])
    summary.history_entries += len(rows["history_entry"])
    summary.inventory += len(rows["inventory"])


async def _reset_sequences(conn: AsyncConnection) -> None:
    """Move PostgreSQL id sequences past the ids assigned here, so later inserts don't collide."""
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:name, 'id'), "
                f'coalesce(max(id), 0) + 1, false) FROM "{table.name}"'
            ),
            {"name": f'"{table.name}"'},
        )


if __name__ == "__main__":
    # The parent handles Ctrl-C and stops us. Import the package module rather than run this
    # copy, so that the pickles name csdesk.seed_orders.Chunk, which the parent imports too.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from csdesk.seed import _generate as generate

    seed, orders, size, drivername = sys.argv[1:5]
    generate(int(seed), int(orders), int(size), drivername)
