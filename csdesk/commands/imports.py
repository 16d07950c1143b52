"""``csdesk import orders|catalog|stock FILE``: take in what the shop's other systems export,
one record per line (the formats: docs/import-format.md and docs/catalog-format.md).

Records are checked one by one and taken in a chunk at a time, one transaction per chunk: a
bad record is reported with its line number and written nowhere, and never stops the good
ones. Running a file twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from csdesk.commands import import_events
from csdesk.commands.import_runner import Kind, Record, csv_records, jsonl_records, run_import
from resolvers.intake.catalog import CatalogResult, Change, upsert_catalog
from resolvers.intake.catalog_record import (
    CatalogDraft,
    StockDraft,
    read_catalog,
    read_stock,
)
from resolvers.intake.order_record import OrderDraft, read_order
from resolvers.intake.orders import IntakeResult, Outcome, import_orders
from resolvers.intake.reader import Rejected
from resolvers.intake.stock import Level, StockResult, set_stock
from resolvers.normalize import reference_key

STOCK_COLUMNS = ("store", "sku", "available")
EXIT_STATUS = """\
Exit status: 0 when no record was rejected, 1 when some were, 2 when the file or the
database could not be used."""

ORDERS = f"""\
Import storefront orders from a JSON Lines file: one JSON object per line (UTF-8), e.g.

  {{"clientReference": "WEB-UK-8F3K2Q", "store": "UK",
   "purchasedAt": "2025-03-14T09:26:53+00:00", "currency": "GBP",
   "customer": {{"id": "C-1042", "type": "REGISTERED", "name": "…", "email": "…"}},
   "shippingAddress": {{…}}, "billingAddress": {{…}},
   "shippingMethod": "Standard", "paymentMethod": "PayPal", "shippingAmount": "3.95",
   "lines": [{{"sku": "…", "quantity": 2, "unitPrice": "24.00", "taxRate": "0.2"}}]}}

Amounts are decimal strings at the currency's precision; quantity N becomes N one-unit
lines. A record whose clientReference is already imported is skipped, so re-running a
file is safe. Invalid records are reported with their line number and written nowhere;
the valid ones are imported. Stores, sources and SKUs must exist (csdesk import catalog).
Every field is described in docs/import-format.md.

{EXIT_STATUS}"""

CATALOG = f"""\
Create or update stores, sources and styles with their SKUs from a JSON Lines file, one
record per line, each with a "type":

  {{"type": "store", "code": "UK", "name": "csdesk UK", "currency": "GBP",
   "language": "en", "vatCountry": "GB"}}
  {{"type": "source", "code": "LON-WH", "name": "London warehouse", "acceptsReturns": true}}
  {{"type": "style", "code": "ST1001", "name": "Organic Tee", "skus": [
     {{"code": "ST1001-BLA-L", "name": "Organic Tee – Black, L", "size": "L",
      "colour": "Black", "imageUrl": "https://…", "listPrice": "24.00"}}]}}

Records are matched by code: new codes are created, known ones updated to the record
(nothing is ever deleted), so re-running a file changes nothing. Every field is described
in docs/catalog-format.md.

{EXIT_STATUS}"""

STOCK = f"""\
Set the units available per store and SKU (absolute counts, as the stock system has them)
from a JSON Lines file:

  {{"store": "UK", "sku": "ST1001-BLA-L", "available": 12}}

or, when the file name ends in .csv (or with --format csv), a CSV file whose first line
names the columns store,sku,available. A later line for the same store and SKU wins.
Every field is described in docs/catalog-format.md.

{EXIT_STATUS}"""


class Orders:
    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.seen: dict[str, int] = {}  # reference key → the line that took it
        self.valid: set[str] = set()  # dry run: references found valid in earlier chunks

    def draft(self, record: Record) -> OrderDraft:
        return read_order(record)

    def label(self, record: Record) -> str:
        ref = record.get("clientReference")
        return f" ({ref.strip()[:64]})" if isinstance(ref, str) and ref.strip() else ""

    async def apply(
        self, session: AsyncSession, drafts: list[OrderDraft], dry_run: bool
    ) -> Sequence[IntakeResult | Rejected]:
        if not dry_run:  # references of earlier chunks are in csdesk by now
            return await import_orders(session, drafts)
        # A dry run writes nothing: a reference found valid in an earlier chunk is skipped
        # here, as the import would skip it.
        repeated = {
            i: IntakeResult(Outcome.SKIPPED, d.client_reference)
            for i, d in enumerate(drafts)
            if d.client_reference is not None and reference_key(d.client_reference) in self.valid
        }
        rest = iter(
            await import_orders(
                session, [d for i, d in enumerate(drafts) if i not in repeated], dry_run=True
            )
        )
        return [repeated[i] if i in repeated else next(rest) for i in range(len(drafts))]

    def report(
        self, result: IntakeResult, label: str, line: int, dry_run: bool
    ) -> tuple[str, str | None]:
        key = reference_key(result.client_reference)
        first = self.seen.setdefault(key, line)
        if result.outcome is Outcome.SKIPPED and result.order_number is None:
            return "skipped", f"{label}: skipped: same clientReference as line {first}"
        if result.outcome is Outcome.SKIPPED:
            return "skipped", f"{label}: skipped: already imported as order {result.order_number}"
        self.valid.add(key)
        if not self.verbose:
            return "imported", None
        done = "valid" if dry_run else f"imported as order {result.order_number}"
        return "imported", f"{label}: {done}"

    def summary(self, tally: Counter[str], dry_run: bool) -> str:
        done = "valid" if dry_run else "imported"
        return (
            f"{done} {tally['imported']}, skipped {tally['skipped']} (already imported), "
            f"rejected {tally['rejected']}"
        )


class Catalog:
    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.skus: Counter[str] = Counter()

    def draft(self, record: Record) -> CatalogDraft:
        return read_catalog(record)

    def label(self, record: Record) -> str:
        kind, code = record.get("type"), record.get("code")
        if isinstance(kind, str) and isinstance(code, str) and code.strip():
            return f" ({kind.strip()[:16]} {code.strip()[:48]})"
        return ""

    async def apply(
        self, session: AsyncSession, drafts: list[CatalogDraft], dry_run: bool
    ) -> Sequence[CatalogResult | Rejected]:
        return await upsert_catalog(session, drafts, dry_run=dry_run)

    def report(
        self, result: CatalogResult, label: str, line: int, dry_run: bool
    ) -> tuple[str, str | None]:
        self.skus.update(created=result.skus_created, updated=result.skus_updated)
        key = result.change.value.lower()
        if not self.verbose:
            return key, None
        skus = ""
        if result.kind == "style" and result.change is not Change.UNCHANGED:
            skus = f" (SKUs: {result.skus_created} created, {result.skus_updated} updated)"
        return key, f"{label}: {key}{skus}"

    def summary(self, tally: Counter[str], dry_run: bool) -> str:
        return (
            f"created {tally['created']}, updated {tally['updated']}, unchanged "
            f"{tally['unchanged']}, rejected {tally['rejected']}; SKUs: "
            f"{self.skus['created']} created, {self.skus['updated']} updated"
        )


class Stock:
    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose

    def draft(self, record: Record) -> StockDraft:
        return read_stock(record)

    def label(self, record: Record) -> str:
        store, sku = record.get("store"), record.get("sku")
        if isinstance(store, str) and isinstance(sku, str):
            return f" ({store.strip()[:16]} {sku.strip()[:48]})"
        return ""

    async def apply(
        self, session: AsyncSession, drafts: list[StockDraft], dry_run: bool
    ) -> Sequence[StockResult | Rejected]:
        return await set_stock(session, drafts, dry_run=dry_run)

    def report(
        self, result: StockResult, label: str, line: int, dry_run: bool
    ) -> tuple[str, str | None]:
        key = "set" if result.level is Level.CHANGED else "unchanged"
        if not self.verbose:
            return key, None
        return key, f"{label}: {result.before} → {result.available}"

    def summary(self, tally: Counter[str], dry_run: bool) -> str:
        return f"set {tally['set']}, unchanged {tally['unchanged']}, rejected {tally['rejected']}"


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("import", help="import data from files",
                       description="Import data from files.")  # fmt: skip
    kinds = p.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    for name, help_text, description, verbose in (
        ("orders", "import storefront orders from a JSON Lines file", ORDERS,
         "also print each imported order's number"),
        ("catalog", "create or update stores, sources, styles and SKUs", CATALOG,
         "also print what each record changed"),
        ("stock", "set the units available per store and SKU", STOCK,
         "also print each level set (before → after)"),
    ):  # fmt: skip
        kind = kinds.add_parser(
            name,
            help=help_text,
            description=description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        kind.add_argument("file", metavar="FILE", help="the file; - reads standard input")
        kind.add_argument("--dry-run", action="store_true",
                          help="check every record and write nothing")  # fmt: skip
        kind.add_argument("--verbose", "-v", action="store_true", help=verbose)
        if name == "stock":
            kind.add_argument(
                "--format",
                choices=("jsonl", "csv"),
                help="the file's format (default: csv for *.csv, else jsonl)",
            )
        kind.set_defaults(func=run)
    import_events.register_kind(kinds)


def run(args: argparse.Namespace) -> int:
    from csdesk.commands.preflight import database_url

    url = database_url()
    kinds: dict[str, Callable[[bool], Kind[Any, Any]]] = {
        "orders": Orders, "catalog": Catalog, "stock": Stock
    }  # fmt: skip
    kind = kinds[args.import_kind](args.verbose)
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"csdesk: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    # Only stock comes as CSV too: --format says so, or else a name ending in .csv.
    fmt = getattr(args, "format", None)
    as_csv = fmt == "csv" or (fmt is None and args.import_kind == "stock" and
                              args.file.lower().endswith(".csv"))  # fmt: skip
    try:
        records = (
            csv_records(stream, args.file, STOCK_COLUMNS, frozenset({"available"}))
            if as_csv
            else jsonl_records(stream)
        )
        return asyncio.run(run_import(url, kind, records, args.file, args.dry_run))
    finally:
        if args.file != "-":
            stream.close()
