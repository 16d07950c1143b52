"""The benchmark's table on stdout and its JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def ratio(csdesk: float | None, raw: float | None) -> float | None:
    if not csdesk or not raw:
        return None
    return round(csdesk / raw, 1)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _stmts(row: dict[str, Any]) -> str:
    a = row["csdesk"].get("statements") if row.get("csdesk") else None
    b = row["raw"].get("statements") if row.get("raw") else None
    return f"{'-' if a is None else a}/{'-' if b is None else b}"


def table(result: dict[str, Any]) -> str:
    """One line per latency case and per throughput run."""
    width = max([len(r["name"]) for r in result["cases"] + result["throughput"]] + [20])
    head = (
        f"{'operation':{width}}  {'csdesk med':>10} {'p95':>7}  {'raw med':>8} {'p95':>6}"
        f"  {'ratio':>6}  {'stmts':>6}  {'errors':>6}"
    )
    out = [
        f"{result['engine']}, "
        + (f"{result['orders']:,} orders" if result["orders"] else result["database"])
        + f", user {result['user']}, "
        f"{result['repeat']} requests per app and case over HTTP ({result['transport']}); "
        "latencies in ms, ratio = csdesk median / raw median, stmts = SQL statements "
        f"csdesk/raw; load average {result['machine']['load_average_before']} before, "
        f"{result['machine'].get('load_average_after')} after",
        head,
        "-" * len(head),
    ]
    for row in result["cases"]:
        c, r = row["csdesk"] or {}, row["raw"] or {}
        note = ""
        if row.get("json_equal") is False:
            note = "  JSON DIFFERS: not timed"
        errors = (c.get("errors") or 0) + (r.get("errors") or 0)
        out.append(
            f"{row['name']:{width}}  {_ms(c.get('median_ms')):>10} {_ms(c.get('p95_ms')):>7}"
            f"  {_ms(r.get('median_ms')):>8} {_ms(r.get('p95_ms')):>6}"
            f"  {_x(row.get('ratio')):>6}  {_stmts(row):>6}  {errors:>6}{note}"
        )
    if result["throughput"]:
        out += ["", f"{'throughput (ratio = raw / csdesk)':{width}}  {'csdesk req/s':>12}  "
                f"{'raw req/s':>10}  {'ratio':>6}  {'errors':>6}  {'ceiling':>8}"]  # fmt: skip
        for row in result["throughput"]:
            c, r = row["csdesk"], row["raw"] or {}
            errors = c["errors"] + (r.get("errors") or 0)
            ceiling = row.get("ceiling_req_per_s")
            out.append(
                f"{row['name']:{width}}  {c['req_per_s']:>12.1f}  "
                f"{(r.get('req_per_s') if r else None) or '-':>10}  "
                f"{_x(row.get('ratio')):>6}  {errors:>6}  {_ms(ceiling):>8}"
            )
        if any(row.get("ceiling_req_per_s") for row in result["throughput"]):
            out.append(
                "ceiling: req/s one process could serve at most, 1 / (1 / signed-in viewer "
                "req/s + graphql-core alone over the page's answer); see bench/floor.py"
            )
    return "\n".join(out)


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def write(result: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"bench-{result['engine']}-{result['label']}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path
