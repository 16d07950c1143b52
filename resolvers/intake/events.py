"""Catalog and stock from integrations (``catalogUpsert``, ``stockLevelsSet``): the records of
the files, read and taken in by the same code, but an event is all or nothing.

When any record of an event is refused, IntakeRejected lists every problem of every record,
each with its path in the mutation's input, and the caller's transaction rolls back: nothing
of the event is written (nor remembered, so it may be sent again corrected).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.errors import IntakeRejected, Problem, ValidationFailed
from resolvers.intake.catalog import CatalogResult, Change, upsert_catalog
from resolvers.intake.catalog_record import read_catalog, read_stock
from resolvers.intake.reader import Path, Record, Rejected, under
from resolvers.intake.stock import Level, set_stock

MAX_CATALOG_RECORDS = 1_000
MAX_STOCK_LEVELS = 10_000


@dataclass(frozen=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _check_size(count: int, limit: int, what: str) -> None:
    if count > limit:
        raise ValidationFailed(
            f"{count:,} {what} in one event; at most {limit:,}: split them into several events.",
            field=["input"],
        )


def _rejected(results: Sequence[object], paths: Sequence[Path]) -> None:
    problems: list[Problem] = []
    for result, path in zip(results, paths, strict=True):
        if isinstance(result, Rejected):
            problems.extend(under(path, result.problems))
    if problems:
        raise IntakeRejected.of(problems)


async def catalog_event(
    session: AsyncSession, records: Sequence[tuple[Path, Record]]
) -> dict[str, Counts]:
    """Upsert every record (each with its path in the input); counts per kind and for SKUs."""
    _check_size(len(records), MAX_CATALOG_RECORDS, "stores, sources and styles")
    results = await upsert_catalog(session, [read_catalog(record) for _, record in records])
    _rejected(results, [path for path, _ in records])
    counts: dict[str, Counts] = {}
    for kind in ("store", "source", "style"):
        done = [r for r in results if isinstance(r, CatalogResult) and r.kind == kind]
        counts[kind] = Counts(*(sum(r.change is c for r in done) for c in Change))
    skus = [r for r in results if isinstance(r, CatalogResult)]
    created = sum(r.skus_created for r in skus)
    updated = sum(r.skus_updated for r in skus)
    listed = sum(len(record.get("skus") or ()) for _, record in records)
    counts["sku"] = Counts(created, updated, listed - created - updated)
    return counts


async def stock_event(
    session: AsyncSession, records: Sequence[tuple[Path, Record]]
) -> tuple[int, int]:
    """Set every level; how many changed and how many were already so."""
    _check_size(len(records), MAX_STOCK_LEVELS, "stock levels")
    results = await set_stock(session, [read_stock(record) for _, record in records])
    _rejected(results, [path for path, _ in records])
    changed = sum(1 for r in results if not isinstance(r, Rejected) and r.level is Level.CHANGED)
    return changed, len(results) - changed
