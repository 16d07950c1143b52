"""Benchmark of the imports: ``csdesk import catalog``, ``stock`` and ``orders`` on a fresh
database, on SQLite and (when a server is given) PostgreSQL, in records per second, against
the target of issue 14 (2,000 records/s).

    python -m bench.imports                         # 20,000 orders, 2,000 styles, SQLite
    python -m bench.imports --orders 100000 --postgres-url postgresql+asyncpg://postgres@localhost/postgres

The records are generated (deterministic for a --seed) into JSON Lines files, then each file
is imported by the very command an operator runs (``csdesk.cli.main``, in this process),
timed from start to exit status (wall clock; the CPU seconds of this process, and the load
average of the machine, are shown beside it, since other work on the machine slows the
imports down). PostgreSQL runs in a database of its own
(``csdesk_bench_import``, created and dropped on the server of --postgres-url, which is only
used to connect). Exit status 1 when an import falls below --target.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import make_url

from csdesk.cli import main as csdesk

STORES = (("UK", "GBP", "en", "GB", "0.20"), ("DE", "EUR", "de", "DE", "0.19"),
          ("US", "USD", "en", "US", "0.0725"), ("FR", "EUR", "fr", "FR", "0.20"))  # fmt: skip
SOURCES = ("LON-WH", "BER-WH", "NJ-WH", "PARIS-SHOP", "MAN-OUTLET")
SIZES = ("S", "M", "L", "XL")
BENCH_DATABASE = "csdesk_bench_import"


def catalog(styles: int) -> Iterator[dict[str, object]]:
    for code, currency, language, vat, _ in STORES:
        yield {"type": "store", "code": code, "name": f"Shop {code}", "currency": currency,
               "language": language, "vatCountry": vat}  # fmt: skip
    for i, code in enumerate(SOURCES):
        yield {"type": "source", "code": code, "name": code.title(), "acceptsReturns": i != 3}
    for s in range(styles):
        code = f"BS{s:05d}"
        yield {
            "type": "style", "code": code, "name": f"Bench style {s}",
            "skus": [{"code": f"{code}-{size}", "name": f"Bench style {s} – {size}",
                      "size": size, "colour": "Black",
                      "imageUrl": f"https://img.example/{code}-{size}.jpg",
                      "listPrice": f"{20 + s % 80}.95"} for size in SIZES],
        }  # fmt: skip


def sku_codes(styles: int) -> list[str]:
    return [f"BS{s:05d}-{size}" for s in range(styles) for size in SIZES]


def stock(styles: int, rng: random.Random) -> Iterator[dict[str, object]]:
    for sku in sku_codes(styles):
        for store, *_ in STORES:
            yield {"store": store, "sku": sku, "available": rng.randint(0, 50)}


def orders(n: int, styles: int, rng: random.Random) -> Iterator[dict[str, object]]:
    skus = sku_codes(styles)
    for i in range(n):
        store, currency, _, country, rate = STORES[i % len(STORES)]
        name = f"Customer {i % (n // 3 + 1)}"
        address = {"name": name, "line1": f"{i % 200 + 1} High Street", "city": "Townsville",
                   "postalCode": f"{10000 + i % 80000}", "country": country}  # fmt: skip
        lines = [
            {"sku": rng.choice(skus), "quantity": rng.randint(1, 2),
             "unitPrice": f"{rng.randint(10, 150)}.{rng.choice(('00', '50', '95'))}",
             "taxRate": rate, "source": SOURCES[i % 3]}
            for _ in range(rng.randint(1, 3))
        ]  # fmt: skip
        yield {
            "clientReference": f"BENCH-{i:08d}", "store": store,
            "purchasedAt": f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}T10:{i % 60:02d}:00Z",
            "currency": currency,
            "customer": {"id": f"BC-{i % (n // 3 + 1)}", "type": "REGISTERED", "name": name,
                         "email": f"customer{i % (n // 3 + 1)}@example.com",
                         "phone": f"+44 7700 9{i % 100000:05d}"},
            "shippingAddress": address, "billingAddress": address,
            "shippingMethod": "Standard", "paymentMethod": "Card",
            "shippingAmount": str(Decimal("4.95")), "lines": lines,
        }  # fmt: skip


def write(path: Path, records: Iterator[dict[str, object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


@dataclass
class Timing:
    engine: str
    kind: str
    records: int
    seconds: float
    cpu: float
    status: int

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def run(argv: list[str], url: str) -> tuple[int, float, float]:
    """One csdesk command on ``url``: its exit status, wall time and CPU time (this process,
    the SQLite thread included); its output is dropped."""
    os.environ["CSDESK_DATABASE_URL"] = url
    started, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = csdesk(argv)
    return status, time.perf_counter() - started, time.process_time() - cpu


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    u = make_url(url)
    conn = await asyncpg.connect(
        user=u.username, password=u.password, host=u.host, port=u.port, database=u.database
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def bench(engine: str, url: str, files: dict[str, tuple[Path, int]]) -> list[Timing]:
    status, _, _ = run(["db", "upgrade"], url)
    if status:
        raise SystemExit(f"bench: cannot migrate the {engine} database (status {status})")
    timings = []
    for kind in ("catalog", "stock", "orders"):
        path, records = files[kind]
        status, seconds, cpu = run(["import", kind, str(path)], url)
        timings.append(Timing(engine, kind, records, seconds, cpu, status))
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.imports",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--orders", type=int, default=20_000, help="orders (default 20,000)")
    parser.add_argument("--styles", type=int, default=2_000,
                        help=f"styles of {len(SIZES)} SKUs (default 2,000; stock: SKUs × "
                        f"{len(STORES)} stores)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CSDESK_TEST_POSTGRES_URL"),
        help="a PostgreSQL server to connect to (default CSDESK_TEST_POSTGRES_URL); the "
        f"benchmark runs in a database {BENCH_DATABASE} of its own there",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--target", type=float, default=2000.0,
                        help="records/s each import must reach (default 2,000)")  # fmt: skip
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory(prefix="csdesk-bench-") as tmp:
        root = Path(tmp)
        files = {
            "catalog": (
                root / "catalog.jsonl",
                write(root / "catalog.jsonl", catalog(args.styles)),
            ),
            "stock": (root / "stock.jsonl", write(root / "stock.jsonl", stock(args.styles, rng))),
            "orders": (
                root / "orders.jsonl",
                write(root / "orders.jsonl", orders(args.orders, args.styles, rng)),
            ),
        }
        if not args.no_sqlite:
            timings += bench("sqlite", f"sqlite+aiosqlite:///{root / 'bench.db'}", files)
        if args.postgres_url:
            server = args.postgres_url
            asyncio.run(_pg_admin(server, f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"'))
            asyncio.run(_pg_admin(server, f'CREATE DATABASE "{BENCH_DATABASE}"'))
            url = make_url(server).set(database=BENCH_DATABASE)
            try:
                timings += bench("postgresql", url.render_as_string(hide_password=False), files)
            finally:
                asyncio.run(
                    _pg_admin(server, f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
                )
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"{args.orders:,} orders, {args.styles:,} styles; load average {load} "
          f"on {os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'engine':<11} {'import':<8} {'records':>9} {'seconds':>8} {'cpu s':>6} "
          f"{'records/s':>10}  status")  # fmt: skip
    below = False
    for t in timings:
        ok = t.status == 0 and t.rate >= args.target
        below |= not ok
        verdict = "ok" if ok else ("FAILED" if t.status else "below target")
        print(f"{t.engine:<11} {t.kind:<8} {t.records:>9,} {t.seconds:>8.1f} {t.cpu:>6.1f} "
              f"{t.rate:>10,.0f}  {verdict}")  # fmt: skip
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
