"""The benchmark databases: created, migrated and seeded once with csdesk's own seeder, then
reused. A database counts as seeded once the harness has marked it so after a complete seed
(SQLite: a ``.seeded`` file beside it; PostgreSQL: the database's comment), so that a seed
cut short is started again rather than measured."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlalchemy.engine import URL, make_url

PG_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SEED = 1


def label(orders: int) -> str:
    """100000 → "100k", 1000000 → "1m", 2500 → "2500"."""
    if orders % 1_000_000 == 0:
        return f"{orders // 1_000_000}m"
    if orders % 1_000 == 0:
        return f"{orders // 1_000}k"
    return str(orders)


def default_url(engine: str, orders: int, pg_server: str = PG_SERVER) -> str:
    if engine == "sqlite":
        return f"sqlite+aiosqlite:///./var/bench-{label(orders)}.sqlite"
    name = "csdesk_bench" if orders == 100_000 else f"csdesk_bench_{label(orders)}"
    return make_url(pg_server).set(database=name).render_as_string(hide_password=False)


def engine_of(url: str) -> str:
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgresql"


def _marker(orders: int) -> str:
    return f"csdesk bench: seeded {orders} orders, seed {SEED}"


async def _pg(url: URL, database: str) -> object:
    import asyncpg

    return await asyncpg.connect(
        user=url.username, password=url.password, host=url.host, port=url.port, database=database
    )


async def postgres_reachable(pg_server: str = PG_SERVER) -> bool:
    try:
        conn = await asyncio.wait_for(_pg(make_url(pg_server), "postgres"), timeout=5)
    except Exception:
        return False
    await conn.close()  # type: ignore[attr-defined]
    return True


async def _pg_state(url: URL) -> str | None:
    """The database's comment; "" when it exists without one, None when it does not exist."""
    conn = await _pg(url, "postgres")
    try:
        row = await conn.fetchrow(  # type: ignore[attr-defined]
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            url.database,
        )
        return None if row is None else (row[0] or "")
    finally:
        await conn.close()  # type: ignore[attr-defined]


async def _pg_admin(url: URL, sql: str) -> None:
    conn = await _pg(url, "postgres")
    try:
        await conn.execute(sql)  # type: ignore[attr-defined]
    finally:
        await conn.close()  # type: ignore[attr-defined]


def prepare(url: str, orders: int, *, ours: bool) -> None:
    """Make ``url`` a migrated database seeded with ``orders`` orders (seed 1), seeding only
    when it is not marked as such. ``ours``: the harness named it, so it may recreate it; a
    database given by the user is never dropped: seeded when it has no orders, else measured
    as it is."""
    from csdesk.migrate import upgrade

    parsed = make_url(url)
    if engine_of(url) == "sqlite":
        path = Path(parsed.database or "")
        marker = path.with_name(path.name + ".seeded")
        seeded = marker.exists() and marker.read_text().strip() == _marker(orders)
        if not seeded and path.exists() and ours:
            _say(f"{path} is not a complete seed of {orders:,} orders: starting it again")
            for suffix in ("", "-wal", "-shm", ".seeded"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        upgrade(url)  # new migrations apply to a reused database too
        if not seeded and not _has_orders(url, ours):
            _seed(url, orders)
            marker.write_text(_marker(orders) + "\n")
        asyncio.run(fit_for_production(url))
        return
    state = asyncio.run(_pg_state(parsed))
    seeded = state == _marker(orders)
    if not seeded and state is not None and ours:
        _say(f"database {parsed.database} is not a complete seed: starting it again")
        asyncio.run(_pg_admin(parsed, f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
        state = None
    if state is None:
        asyncio.run(_pg_admin(parsed, f'CREATE DATABASE "{parsed.database}"'))
    upgrade(url)
    if not seeded and not _has_orders(url, ours):
        _seed(url, orders)
        comment = _marker(orders).replace("'", "''")
        asyncio.run(_pg_admin(parsed, f"COMMENT ON DATABASE \"{parsed.database}\" IS '{comment}'"))
    asyncio.run(_autoanalyze(parsed))
    asyncio.run(fit_for_production(url))


# PostgreSQL's autovacuum analyzes a table once this many rows changed since the last time
# (autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × rows, the defaults).
_ANALYZE_RULE = "n_mod_since_analyze > 50 + 0.1 * n_live_tup"


async def _autoanalyze(url: URL) -> None:
    """ANALYZE the tables autovacuum would analyze by now. A server may run without
    autovacuum (this machine's test server does): right after a seed its statistics then
    describe nearly empty tables and plans read whole tables, which no deployment would see.
    SQLite gets nothing of the kind: csdesk itself never runs ANALYZE there (issue 12)."""
    assert url.database is not None
    conn = await _pg(url, url.database)
    try:
        stale = [
            r[0]
            for r in await conn.fetch(  # type: ignore[attr-defined]
                f"SELECT relname FROM pg_stat_user_tables WHERE {_ANALYZE_RULE} ORDER BY relname"
            )
        ]
        if stale:
            _say(f"ANALYZE {', '.join(stale)} (what autovacuum would have done)")
            for table in stale:
                await conn.execute(f'ANALYZE "{table}"')  # type: ignore[attr-defined]
    finally:
        await conn.close()  # type: ignore[attr-defined]


def bench_password(username: str) -> str:
    """The password the benchmark gives a demo user (csdesk refuses to start in production
    mode while a demo user still signs in with the demo password)."""
    return f"bench-{username}-not-a-demo-password"


async def fit_for_production(url: str) -> None:
    """Give every demo user still on their demo password the bench's password, so that csdesk
    starts in production mode on this database (a user who changed theirs is left alone)."""
    from sqlalchemy import select

    from auth.passwords import hash_password, verify_password
    from core.db import Database
    from csdesk.seed_data import USERS
    from models import User

    demo = {username: password for username, *_, password in USERS if password is not None}
    db = Database.connect(url)
    try:
        async with db.write() as session:
            users = await session.scalars(select(User).where(User.username.in_(demo)))
            for user in users:
                if verify_password(user.password_hash, demo[user.username]):
                    user.password_hash = hash_password(bench_password(user.username))
                    _say(f"{user.username} signs in with the bench's password from now on")
            await session.commit()
    finally:
        await db.dispose()


def _has_orders(url: str, ours: bool) -> bool:
    """Whether a database given by the user already holds orders: then it is measured as it
    is (a database of the harness's own was emptied above when not marked)."""
    if ours:
        return False
    from bench.raw.db import RawDatabase

    async def count() -> int:
        db = RawDatabase(url, size=1)
        await db.open()
        try:
            async with db.connection() as conn:
                return int((await conn.fetch('SELECT count(*) FROM "order"'))[0][0])
        finally:
            await db.close()

    have = asyncio.run(count())
    if have:
        _say(f"measuring the {have:,} orders already in {make_url(url).database}")
    return have > 0


def _seed(url: str, orders: int) -> None:
    from core.db import Database
    from csdesk.seed import seed_database

    async def run() -> None:
        db = Database.connect(url)
        try:
            await seed_database(db, orders=orders, seed=SEED)
        finally:
            await db.dispose()

    _say(f"seeding {orders:,} orders into {make_url(url).database} (once; reused afterwards)")
    asyncio.run(run())


def _say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)
