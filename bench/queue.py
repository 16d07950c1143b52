"""Benchmark of the read side: queue pages, searches and the detail page over HTTP (in
process, through the ASGI app), on a database seeded with N orders.

    python -m bench.queue --orders 100000            # SQLite file in ./var/bench.db
    python -m bench.queue --database-url postgresql+asyncpg://…  --orders 100000

Prints, for each operation, the median and 95th-percentile latency and the SQL statements
per request (which must not grow with the data). The README keeps the figures measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from core.config import Settings
from core.db import Database
from csdesk.app import create_app
from csdesk.migrate import upgrade
from csdesk.seed import seed_database
from models import Order

OPERATIONS = Path(__file__).parents[1] / "frontend-contract" / "operations"
QUEUE = (OPERATIONS / "OrderQueue.graphql").read_text()
SEARCH = (OPERATIONS / "OrderSearch.graphql").read_text()
DETAIL = (OPERATIONS / "OrderDetail.graphql").read_text()

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("queue, 50 newest", QUEUE, {"first": 50}),
    ("queue, 50 by grand total", QUEUE, {"first": 50, "orderBy": "GRAND_TOTAL_DESC"}),
    ("search reference prefix", SEARCH, {"filter": {"reference": "1000"}}),
    ("search name words", SEARCH, {"filter": {"customerName": "muller jurgen"}}),
    ("search postal code", SEARCH, {"filter": {"postalCode": "sw1a1aa"}}),
    ("search telephone", SEARCH, {"filter": {"telephone": "+44 7700 900123"}}),
    ("search email prefix", SEARCH, {"filter": {"email": "jurgen"}}),
    ("search address text", SEARCH, {"filter": {"shippingAddress": "baker"}}),
    (
        "search dates + status",
        SEARCH,
        {
            "filter": {
                "createdFrom": "2026-01-01",
                "createdTo": "2026-01-31",
                "status": ["DELIVERED"],
            }
        },
    ),
    ("search returns requested", SEARCH, {"filter": {"returnStatus": "REQUESTED"}}),
    ("detail", DETAIL, {"number": "100001"}),
]


async def prepare(url: str, orders: int) -> None:
    await asyncio.to_thread(upgrade, url)
    db = Database.connect(url)
    try:
        async with db.read() as session:
            have = int(await session.scalar(select(func.count()).select_from(Order)) or 0)
        if have == 0:
            print(f"bench: seeding {orders:,} orders …", file=sys.stderr, flush=True)
            await seed_database(db, orders=orders, seed=1)
        else:
            print(f"bench: using the {have:,} orders already there", file=sys.stderr)
    finally:
        await db.dispose()


async def measure(url: str, repeat: int) -> list[tuple[str, float, float, int]]:
    db = Database.connect(url)
    app = create_app(Settings(database_url=url), database=db)
    rows = []
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as http:
            login = await http.post(
                "/graphql",
                json={
                    "query": 'mutation { login(input: {username: "supervisor", '
                    'password: "supervisor"}) { ... on LoginSuccess { token } } }'
                },
            )
            token = login.json()["data"]["login"]["token"]
            headers = {"Authorization": f"Bearer {token}"}
            for i, (name, query, variables) in enumerate(CASES, start=1):
                timings = []
                statements = 0
                for _ in range(repeat):
                    start = time.perf_counter()
                    r = await http.post(
                        "/graphql",
                        json={"query": query, "variables": variables},
                        headers=headers,
                    )
                    timings.append((time.perf_counter() - start) * 1000)
                    body = r.json()
                    if body.get("errors"):
                        raise SystemExit(f"bench: {name} failed: {body['errors']}")
                    statements = body["extensions"]["sqlStatements"]
                timings.sort()
                p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
                rows.append((name, statistics.median(timings), p95, statements))
                print(f"bench: {i}/{len(CASES)} {name}", file=sys.stderr, flush=True)
    finally:
        await db.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.queue",
        description="Time the queue, the searches and the detail page on a seeded database.",
    )
    parser.add_argument(
        "--database-url",
        default="sqlite+aiosqlite:///./var/bench.db",
        help="database to use (seeded when empty); default ./var/bench.db",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=100_000,
        help="orders to seed into an empty database (default 100,000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=30, help="requests per operation (default 30)"
    )
    args = parser.parse_args(argv)
    if args.database_url.startswith("sqlite"):
        Path("var").mkdir(exist_ok=True)
    asyncio.run(prepare(args.database_url, args.orders))
    rows = asyncio.run(measure(args.database_url, args.repeat))
    print(f"\n{'operation':32} {'median ms':>10} {'p95 ms':>10} {'statements':>11}")
    for name, median, p95, statements in rows:
        print(f"{name:32} {median:10.1f} {p95:10.1f} {statements:11d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
