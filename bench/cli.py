"""The benchmark harness: ``python -m bench`` (``make bench``, ``make bench-full``).

For each engine: seed (once) a benchmark database with csdesk's seeder, start csdesk (in
production mode) and the raw baseline (bench/raw: plain ASGI, hand-written SQL, the same
driver and orjson) each under uvicorn in a process of its own, check that the raw baseline
answers every case byte for byte like csdesk, then time both over HTTP, interleaved, and
print and write the table."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import re
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from bench import cases as C
from bench import database, floor, report, runner
from bench.raw.db import RawDatabase
from bench.servers import serve

ROOT = Path(__file__).parents[1]
TRANSPORT = "uvicorn on 127.0.0.1, one process per app, httpx keep-alive client"

EPILOG = """\
what it measures, per engine (SQLite, and PostgreSQL when reachable):
  the queue page of 50 (OrderQueue.graphql), newest first and by grand total, and 20 pages
  deep by keyset; the order detail page (OrderDetail.graphql) of a rich order; every search
  field of OrderSearch.graphql with rare, common, short and no-match terms; throughput of the
  queue and the detail page with 8 concurrent clients; appeasementCreate (writes 0.01 on
  seeded lines: csdesk alone, the raw baseline does not write), alone and with 8 writers.

examples:
  python -m bench                                   100k orders, every reachable engine
  python -m bench --orders 1000000 --repeat 15      the 1M figures (make bench-full)
  python -m bench --engines sqlite --only 'search name'
  python -m bench --check                           only the JSON equality check
  python -m bench --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/mine

Results: a table on stdout, progress on stderr, JSON in var/bench-<engine>-<orders>.json."""


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time csdesk against a hand-written raw baseline that returns the same "
        "JSON, over HTTP, on databases seeded by csdesk's seeder.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--orders", type=_count, default=100_000, help="seeded orders (100000)")
    p.add_argument(
        "--engines",
        default="auto",
        help="sqlite, postgresql or both, comma-separated; auto (default): SQLite, and "
        "PostgreSQL when --postgres-server answers",
    )
    p.add_argument(
        "--database-url",
        help="use this database (seeded when empty, never dropped) instead of the bench one; "
        "its engine is the only one measured",
    )
    p.add_argument(
        "--postgres-server",
        default=database.PG_SERVER,
        help=f"PostgreSQL server for the bench databases ({database.PG_SERVER})",
    )
    p.add_argument("--repeat", type=_count, default=30, help="timed requests per app and case (30)")
    p.add_argument("--warmup", type=int, default=3, help="untimed requests per app and case (3)")
    p.add_argument("--clients", type=_count, default=8, help="concurrent clients (8)")
    p.add_argument(
        "--seconds", type=float, default=5.0, help="length of one throughput burst (5 s)"
    )
    p.add_argument("--rounds", type=_count, default=3, help="throughput bursts per app (3)")
    p.add_argument("--user", default="agent", help="who signs in (agent: UK and DE stores)")
    p.add_argument("--only", help="only the cases whose name contains this text")
    p.add_argument(
        "--check", action="store_true", help="only check the raw baseline's JSON against csdesk's"
    )
    p.add_argument("--no-throughput", action="store_true", help="skip the concurrent runs")
    p.add_argument("--no-writes", action="store_true", help="skip appeasementCreate")
    p.add_argument("--output-dir", type=Path, default=ROOT / "var", help="where the JSON goes")
    return p.parse_args(argv)


def _count(text: str) -> int:
    value = int(text.replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("give 1 or more")
    return value


def say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def _absolute(url: str) -> str:
    """SQLite paths made absolute, so that the servers find the file from anywhere."""
    parsed = make_url(url)
    if database.engine_of(url) == "sqlite" and parsed.database:
        path = Path(parsed.database)
        if not path.is_absolute():
            path = (ROOT / path).resolve()
        return parsed.set(database=str(path)).render_as_string(hide_password=False)
    return url


async def measure(args: argparse.Namespace, engine: str, url: str, label: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "engine": engine,
        # None: a database of the user's own, of whatever size it has.
        "orders": args.orders if not args.database_url else None,
        "label": label,
        "database": make_url(url).render_as_string(hide_password=True),
        "transport": TRANSPORT,
        "user": args.user,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "clients": args.clients,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 1) for x in os.getloadavg()],
        },
        "csdesk_env": "production",
        "ratios": {
            "cases": "csdesk median / raw median",
            "throughput": "raw req/s / csdesk req/s",
        },
        "checked": [],
        "cases": [],
        "throughput": [],
    }
    tag = f"[{engine} {label}]"
    raw_db = RawDatabase(url, size=1)
    await raw_db.open()
    try:
        fx = await C.fixtures(raw_db, args.user, args.orders)
    finally:
        await raw_db.close()
    result["fixtures"] = {"rich_order": fx.rich, "sample_order": fx.sample.get("number")}
    with (
        serve("csdesk", url, args.output_dir, f"{engine}-{result['label']}") as a_url,
        serve("raw", url, args.output_dir, f"{engine}-{result['label']}") as b_url,
    ):
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with (
            httpx.AsyncClient(base_url=a_url, timeout=300, limits=limits) as a,
            httpx.AsyncClient(base_url=b_url, timeout=300, limits=limits) as b,
        ):
            token = await runner.login(a, args.user, database.bench_password(args.user))
            cursor = await runner.deep_cursor(a, token, C.DEEP_PAGES)
            reads = C.read_cases(fx, cursor)
            write = C.appeasement_case(fx)
            if args.only:
                reads = [c for c in reads if args.only.lower() in c.name.lower()]
            equal = await _check(a, b, token, reads, result, tag)
            if args.check:
                return result
            await _latencies(args, a, b, token, reads, equal, result, tag)
            if not args.no_throughput:
                await _throughputs(args, a, b, token, reads, equal, result, tag)
            if not args.no_writes and fx.lines and fx.reason and _wanted(args, write.name):
                await _writes(args, a, token, write, fx.lines, result, tag)
    result["machine"]["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    for row in result["cases"] + result["throughput"]:
        for side in ("csdesk", "raw"):
            if (row.get(side) or {}).get("first_error"):
                say(f"{tag} {row['name']}, {side}: {row[side]['errors']} errors, the first: "
                    f"{row[side]['first_error']}")  # fmt: skip
    return result


Client = httpx.AsyncClient


async def _check(
    a: Client, b: Client, token: str, reads: list[C.Case], result: dict[str, Any], tag: str
) -> dict[str, bool]:
    """Which cases the raw baseline answers byte for byte like csdesk (the others are not
    timed); with the statements each side ran, for --check."""
    say(f"{tag} checking the raw baseline's JSON against csdesk's ({len(reads)} cases)")
    equal: dict[str, bool] = {}
    for case in reads:
        found = await runner.check(a, b, token, case)
        equal[case.name] = found.equal
        if not found.equal:
            say(f"{tag} JSON DIFFERS, not timed: {case.name}: {found.detail}")
        result["checked"].append(
            {
                "name": case.name,
                "json_equal": found.equal,
                "statements": [found.csdesk.statements, found.raw.statements],
            }
        )
    result["json_equal"] = sum(equal.values())
    result["json_differs"] = [n for n, ok in equal.items() if not ok]
    say(f"{tag} {sum(equal.values())}/{len(equal)} cases answer the same JSON")
    return equal


async def _latencies(
    args: argparse.Namespace,
    a: Client,
    b: Client,
    token: str,
    reads: list[C.Case],
    equal: dict[str, bool],
    result: dict[str, Any],
    tag: str,
) -> None:
    for i, case in enumerate(reads, start=1):
        say(f"{tag} {i}/{len(reads)} {case.name}")
        row: dict[str, Any] = {"name": case.name, "group": case.group}
        row["json_equal"] = equal[case.name]
        if not equal[case.name]:
            row.update(csdesk=None, raw=None, ratio=None)
        else:
            ta, tb = await runner.interleaved(
                [a, b], token, case.body, repeat=args.repeat, warmup=args.warmup
            )
            sa, sb = ta.summary(), tb.summary()
            row.update(csdesk=sa, raw=sb, ratio=report.ratio(sa["median_ms"], sb["median_ms"]))
        result["cases"].append(row)


async def _throughputs(
    args: argparse.Namespace,
    a: Client,
    b: Client,
    token: str,
    reads: list[C.Case],
    equal: dict[str, bool],
    result: dict[str, Any],
    tag: str,
) -> None:
    """The queue page (newest first) and the detail page with --clients clients, each with
    its ceiling (bench/floor.py): a signed-in one-field query's throughput (measured first,
    csdesk alone) and graphql-core alone over the page's answer."""
    pages = [
        case
        for case in reads
        if equal[case.name]
        and (case.group == "detail" or (case.group == "queue" and "newest" in case.name))
    ]
    if not pages:
        return
    name = f"{floor.VIEWER.name}, {args.clients} clients"
    say(f"{tag} throughput: {name}")
    (rv,) = await runner.throughput(
        [a],
        token,
        floor.VIEWER.body,
        clients=args.clients,
        seconds=args.seconds,
        rounds=args.rounds,
    )
    viewer = rv.summary()
    result["throughput"].append({"name": name, "csdesk": viewer, "raw": None, "ratio": None})
    for case in pages:
        name = f"{case.name.split(' (')[0]}, {args.clients} clients"
        say(f"{tag} throughput: {name}")
        ra, rb = await runner.throughput(
            [a, b],
            token,
            case.body,
            clients=args.clients,
            seconds=args.seconds,
            rounds=args.rounds,
        )
        sa, sb = ra.summary(), rb.summary()
        ratio = report.ratio(sb["req_per_s"], sa["req_per_s"])
        alone = floor.graphql_alone_ms(case, (await runner.ask(a, token, case.body())).body)
        result["throughput"].append(
            {
                "name": name,
                "csdesk": sa,
                "raw": sb,
                "ratio": ratio,
                "graphql_core_alone_ms": alone,
                "ceiling_req_per_s": floor.ceiling(viewer["req_per_s"], alone),
            }
        )


async def _writes(
    args: argparse.Namespace,
    a: Client,
    token: str,
    write: C.Case,
    lines: list[str],
    result: dict[str, Any],
    tag: str,
) -> None:
    """appeasementCreate on csdesk alone: latency, then --clients writers."""
    bodies = runner.cycling(write, "lineId", lines)
    say(f"{tag} {write.name}")
    (tw,) = await runner.interleaved([a], token, bodies, repeat=args.repeat, warmup=args.warmup)
    result["cases"].append(
        {
            "name": write.name,
            "group": write.group,
            "json_equal": None,
            "csdesk": tw.summary(),
            "raw": None,
            "ratio": None,
        }
    )
    if args.no_throughput:
        return
    name = f"appeasementCreate, {args.clients} writers"
    say(f"{tag} throughput: {name}")
    (rw,) = await runner.throughput(
        [a], token, bodies, clients=args.clients, seconds=args.seconds, rounds=args.rounds
    )
    result["throughput"].append({"name": name, "csdesk": rw.summary(), "raw": None, "ratio": None})


def _wanted(args: argparse.Namespace, name: str) -> bool:
    return not args.only or args.only.lower() in name.lower()


def engines(args: argparse.Namespace) -> list[tuple[str, str, bool]]:
    """(engine, database URL, whether the harness owns the database) to measure."""
    if args.database_url:
        return [(database.engine_of(args.database_url), args.database_url, False)]
    wanted = [e.strip() for e in args.engines.split(",") if e.strip()]
    if wanted == ["auto"]:
        wanted = ["sqlite"]
        if asyncio.run(database.postgres_reachable(args.postgres_server)):
            wanted.append("postgresql")
        else:
            say(f"PostgreSQL at {make_url(args.postgres_server).host} is unreachable: SQLite only")
    for engine in wanted:
        if engine not in ("sqlite", "postgresql"):
            raise SystemExit(f"bench: unknown engine {engine!r} (sqlite, postgresql)")
    return [(e, database.default_url(e, args.orders, args.postgres_server), True) for e in wanted]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    failed = False
    summaries = []
    for engine, url, ours in engines(args):
        url = _absolute(url)
        say(f"[{engine}] preparing {make_url(url).render_as_string(hide_password=True)}")
        database.prepare(url, args.orders, ours=ours)
        # A database of the user's own is named after it, not after --orders.
        label = database.label(args.orders) if ours else _name(url)
        result = asyncio.run(measure(args, engine, url, label))
        failed = failed or bool(result["json_differs"])
        if args.check:
            summaries.append(
                f"{engine}: {result['json_equal']} cases answer the same JSON, "
                f"{len(result['json_differs'])} differ"
            )
            for row in result["checked"]:
                a_st, b_st = row["statements"]
                mark = "same JSON" if row["json_equal"] else "DIFFERS  "
                print(f"{mark}  statements {a_st}/{b_st}  {row['name']}")
            continue
        print(report.table(result) + "\n", flush=True)
        path = report.write(result, args.output_dir)
        summaries.append(_summary(result, path))
    print("summary:\n" + "\n".join(f"  {s}" for s in summaries), flush=True)
    return 1 if failed else 0


def _name(url: str) -> str:
    """``db-<file or database name>``, e.g. ``db-csdesk`` for ./csdesk.db."""
    stem = Path(make_url(url).database or "db").stem
    return "db-" + re.sub(r"[^A-Za-z0-9_.-]", "_", stem)


def _summary(result: dict[str, Any], path: Path) -> str:
    rows = {r["name"]: r for r in result["cases"]}
    picks = []
    for pattern in ("queue page of 50, newest", "order detail"):
        for name, row in rows.items():
            if re.match(pattern, name) and row.get("ratio"):
                picks.append(f"{pattern.split(',')[0]} {row['csdesk']['median_ms']} ms "
                             f"({row['ratio']}x raw)")  # fmt: skip
    errors = sum((r["csdesk"] or {}).get("errors", 0) for r in result["cases"]) + sum(
        r["csdesk"]["errors"] for r in result["throughput"]
    )
    differs = len(result["json_differs"])
    return (
        f"{result['engine']} {result['label']}: " + "; ".join(picks)
        + f"; {errors} csdesk errors; {differs} cases with different JSON; {path}"
    )  # fmt: skip
