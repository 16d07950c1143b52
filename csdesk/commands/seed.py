"""``csdesk seed --orders N [--seed S] [--if-empty]``: load deterministic demo data."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

DESCRIPTION = """\
Fill the database of CSDESK_DATABASE_URL with demo data: four stores (UK, DE, US, FR), a
catalogue with stock, customers, N orders numbered from 100001 with their post-sales history
(appeasements, returns, exchanges, reshipments, cancellations, comments), and the demo
logins admin/admin, supervisor/supervisor and agent/agent.

The same --orders and --seed give the same data on every run. The database must be migrated
(`csdesk db upgrade`) and empty: seeding never adds to or overwrites existing data."""

EPILOG = """\
examples:
  csdesk seed --orders 3000                 demo data for the UI
  csdesk seed --orders 3000 --if-empty      the same, unless the database already has data
  csdesk seed --orders 100000 --seed 42     a large data set for benchmarks"""


def positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (e.g. 3000)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} orders: give at least 1 (e.g. --orders 3000)")
    return value


def seed_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (e.g. 1)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text}: the seed must be 0 or more")
    return value


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "seed",
        help="load deterministic demo data into an empty database",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--orders",
        type=positive_int,
        required=True,
        metavar="N",
        help="how many orders to create (1 or more; exchange and reshipment orders come on top)",
    )
    p.add_argument(
        "--seed",
        type=seed_number,
        default=1,
        metavar="S",
        help="random seed: the same N and S always give the same data (default 1)",
    )
    p.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (successfully) when the database already holds data, "
        "instead of refusing with an error",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="print no progress")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from csdesk.commands.preflight import database_url

    return asyncio.run(_seed(database_url(), args))


async def _seed(url: str, args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from core.db import Database
    from csdesk.seed import SeedError, database_state, seed_database

    shown = make_url(url).render_as_string(hide_password=True)
    db = Database.connect(url)
    try:
        state = await database_state(db)
        if not state.is_empty:
            if args.if_empty:
                print(f"csdesk seed: {shown} already holds data ({state.describe()}); "
                      "nothing to do (--if-empty).", flush=True)  # fmt: skip
                return 0
            return _fail(
                f"refusing to seed {shown}: it already holds data ({state.describe()}). Seeding "
                "only fills an empty database: point CSDESK_DATABASE_URL at a new database and "
                "run `csdesk db upgrade`, or pass --if-empty to skip seeding when data exists."
            )
        if not args.quiet:
            print(f"csdesk seed: seeding {shown} with {args.orders:,} orders (seed {args.seed})",
                  file=sys.stderr, flush=True)  # fmt: skip
        try:
            await seed_database(db, orders=args.orders, seed=args.seed, quiet=args.quiet)
        except SeedError as exc:
            return _fail(f"cannot seed {shown}: {exc}.")
    finally:
        await db.dispose()
    print("csdesk seed: demo logins admin/admin, supervisor/supervisor, agent/agent", flush=True)
    return 0


def _fail(message: str) -> int:
    print(f"csdesk seed: error: {message}", file=sys.stderr, flush=True)
    return 1
