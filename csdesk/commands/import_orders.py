"""``csdesk import orders FILE.jsonl``: create orders from storefront records, one per line.

Each record is validated and imported in its own transaction (resolvers.intake), so a bad
record writes nothing and never stops the good ones.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import IO, Any

PROGRESS_EVERY = 1000

DESCRIPTION = """\
Import storefront orders from a JSON Lines file: one JSON object per line (UTF-8), e.g.

  {"clientReference": "WEB-UK-8F3K2Q", "store": "UK",
   "purchasedAt": "2025-03-14T09:26:53+00:00", "currency": "GBP",
   "customer": {"id": "C-1042", "type": "REGISTERED", "name": "…", "email": "…"},
   "shippingAddress": {…}, "billingAddress": {…},
   "shippingMethod": "Standard", "paymentMethod": "PayPal", "shippingAmount": "3.95",
   "lines": [{"sku": "…", "quantity": 2, "unitPrice": "24.00", "taxRate": "0.2"}]}

Amounts are decimal strings at the currency's precision; quantity N becomes N one-unit
lines. A record whose clientReference is already imported is skipped, so re-running a
file is safe. Invalid records are reported with their line number and written nowhere;
the valid ones are imported. Every field is described in docs/import-format.md.

Exit status: 0 when no record was rejected, 1 when some were, 2 when the file or the
database could not be used."""


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("import", help="import data from files",
                       description="Import data from files.")  # fmt: skip
    kinds = p.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    orders = kinds.add_parser(
        "orders",
        help="import storefront orders from a JSON Lines file",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    orders.add_argument("file", metavar="FILE.jsonl", help="the file; - reads standard input")
    orders.add_argument("--dry-run", action="store_true",
                        help="validate every record and write nothing")  # fmt: skip
    orders.add_argument("--verbose", "-v", action="store_true",
                        help="also print each imported order's number")  # fmt: skip
    orders.set_defaults(func=run)


@dataclass
class Tally:
    imported: int = 0
    skipped: int = 0
    rejected: int = 0

    @property
    def records(self) -> int:
        return self.imported + self.skipped + self.rejected

    def progress(self) -> str:
        return (
            f"{self.records:,} records read: {self.imported:,} imported, "
            f"{self.skipped:,} skipped, {self.rejected:,} rejected"
        )

    def summary(self, dry_run: bool) -> str:
        done = "valid" if dry_run else "imported"
        text = (
            f"{done} {self.imported}, skipped {self.skipped} (already imported), "
            f"rejected {self.rejected}"
        )
        if self.rejected:
            text += "; see the errors above"
        if dry_run:
            text += "; dry run, nothing was written"
        elif not self.records:
            text += "; the file holds no records"
        return text


def run(args: argparse.Namespace) -> int:
    from csdesk.commands.preflight import database_url

    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"csdesk: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        url = database_url()
        return asyncio.run(_import(url, stream, args.file, args.dry_run, args.verbose))
    finally:
        if args.file != "-":
            stream.close()


def _records(stream: IO[bytes]) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of every non-blank line; text None when it is not UTF-8."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield number, None
            continue
        if line.strip():
            yield number, line


async def _import(url: str, stream: IO[bytes], name: str, dry_run: bool, verbose: bool) -> int:
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.db import Database
    from resolvers.errors import IntakeRejected, Problem
    from resolvers.intake import Outcome, import_order, parse_record

    db = Database.connect(url)
    tally = Tally()
    seen: dict[str, int] = {}
    number = 0
    try:
        for number, line in _records(stream):
            label = f"line {number}"
            try:
                if line is None:
                    raise IntakeRejected.of([Problem((), "not valid UTF-8 text", "INVALID_TEXT")])
                record = parse_record(line)
                ref = record.get("clientReference")
                if isinstance(ref, str) and ref.strip():
                    label += f" ({ref.strip()[:64]})"
                transaction: AbstractAsyncContextManager[AsyncSession] = (
                    db.read() if dry_run else db.write.begin()
                )
                async with transaction as session:
                    result = await import_order(session, record, dry_run=dry_run)
            except IntakeRejected as exc:
                tally.rejected += 1
                for problem in exc.problems:
                    print(f"{label}: {problem}", file=sys.stderr)
            else:
                key = result.client_reference.casefold()
                if result.outcome is Outcome.SKIPPED:
                    tally.skipped += 1
                    print(f"{label}: skipped: already imported as order {result.order_number}")
                elif dry_run and key in seen:
                    tally.skipped += 1
                    print(f"{label}: skipped: same clientReference as line {seen[key]}")
                else:
                    tally.imported += 1
                    if verbose:
                        print(f"{label}: valid" if dry_run else
                              f"{label}: imported as order {result.order_number}")  # fmt: skip
                seen.setdefault(key, number)
            if tally.records % PROGRESS_EVERY == 0:
                print(f"csdesk: {tally.progress()}", file=sys.stderr, flush=True)
    except OSError as exc:
        print(f"csdesk: cannot read {name} after line {number}: {exc}", file=sys.stderr)
        print(tally.summary(dry_run))
        return 2
    except SQLAlchemyError as exc:
        print(f"csdesk: database error at line {number}: {_first_line(exc)}", file=sys.stderr)
        print(tally.summary(dry_run))
        return 2
    finally:
        await db.dispose()
    print(tally.summary(dry_run))
    return 1 if tally.rejected else 0


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
