"""The loop every ``csdesk import`` shares: read records line by line, take them in a chunk at
a time (one transaction per chunk), report each record by its line number, show progress on
standard error and end with a summary.

A record that is not valid (bad JSON, a failed check) is reported with every problem and
skipped; the rest of its chunk lands. Should the database still refuse a chunk (a
constraint no check foresaw), its records are taken again one per transaction, so that only
the record at fault is rejected (``DATABASE_REFUSED``) and the report still names it.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import IO, Any, Generic, Protocol, TypeVar

from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from csdesk.commands.preflight import CommandError, first_line
from resolvers.errors import IntakeRejected, Problem
from resolvers.intake.reader import Rejected, parse_record

CHUNK_RECORDS = 500
PROGRESS_EVERY = 1000

D = TypeVar("D")
R = TypeVar("R")
Record = dict[str, Any]


class Kind(Protocol[D, R]):
    """What one kind of import (orders, catalog, stock) brings to the loop."""

    def draft(self, record: Record) -> D:
        """The record read into a draft, without the database."""

    def label(self, record: Record) -> str:
        """What names the record in messages besides its line: ``(WEB-UK-8F3K2Q)``."""

    def apply(
        self, session: AsyncSession, drafts: list[D], dry_run: bool
    ) -> Awaitable[Sequence[R | Rejected]]:
        """Take a chunk of drafts in, one result each."""

    def report(self, result: R, label: str, line: int, dry_run: bool) -> tuple[str, str | None]:
        """The tally key of an accepted record, and a line for standard output (or None)."""

    def summary(self, tally: Counter[str], dry_run: bool) -> str:
        """The counts of the last line."""


@dataclass
class Entry:
    line: int
    label: str
    record: Record | None  # None: unreadable, ``rejected`` says why
    rejected: Rejected | None = None


def jsonl_records(stream: IO[bytes]) -> Iterator[tuple[int, Record | Rejected]]:
    """(line number, record) of every non-blank line of a JSON Lines file."""
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield number, Rejected([Problem((), "not valid UTF-8 text", "INVALID_TEXT")])
            continue
        if not text.strip():
            continue
        try:
            yield number, parse_record(text)
        except IntakeRejected as exc:
            yield number, Rejected(exc.problems)


_WHOLE = re.compile(r"\s*\d+\s*")


def csv_records(
    stream: IO[bytes], name: str, columns: tuple[str, ...], numbers: frozenset[str]
) -> Iterator[tuple[int, Record | Rejected]]:
    """(line number, record) of every row of a CSV file whose first line names ``columns``
    (in any order); the ``numbers`` columns become whole numbers when they are digits."""

    def text() -> Iterator[str]:
        for number, raw in enumerate(stream, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise CommandError(f"{name}: line {number} is not valid UTF-8") from None

    rows = csv.reader(text())
    header = [h.strip() for h in next(rows, [])]
    if sorted(header) != sorted(columns):
        raise CommandError(
            f"{name}: the first line must name the columns {','.join(columns)} "
            f"(it names {','.join(header) or 'nothing'})"
        )
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problem = Problem((), f"expected {len(header)} columns, found {len(row)}")
            yield line, Rejected([problem])
            continue
        yield (
            line,
            {
                k: int(v) if k in numbers and _WHOLE.fullmatch(v) else v
                for k, v in zip(header, row, strict=True)
            },
        )


class _DatabaseFailed(Exception):
    def __init__(self, line: int, error: Exception) -> None:
        super().__init__(line, error)
        self.line, self.error = line, error


class Runner(Generic[D, R]):
    """One import run: the chunks, the report, the tally."""

    def __init__(self, db: Database, kind: Kind[D, R], dry_run: bool) -> None:
        self.db, self.kind, self.dry_run = db, kind, dry_run
        self.tally: Counter[str] = Counter()
        self.records = 0
        self.started = time.perf_counter()

    async def run(self, records: Iterator[tuple[int, Record | Rejected]], name: str) -> int:
        chunk: list[Entry] = []
        last = 0
        try:
            for line, record in records:
                last = line
                if isinstance(record, Rejected):
                    chunk.append(Entry(line, f"line {line}", None, record))
                else:
                    chunk.append(Entry(line, f"line {line}{self.kind.label(record)}", record))
                if len(chunk) >= CHUNK_RECORDS:
                    await self._chunk(chunk)
                    chunk = []
            await self._chunk(chunk)
        except _DatabaseFailed as failed:
            print(
                f"csdesk: database error in the chunk from line {failed.line}: "
                f"{first_line(failed.error)}; the chunks before it were taken in",
                file=sys.stderr,
            )
            return self._end(2)
        except OSError as exc:
            print(f"csdesk: cannot read {name} after line {last}: {exc}", file=sys.stderr)
            return self._end(2)
        return self._end(1 if self.tally["rejected"] else 0)

    async def _chunk(self, chunk: list[Entry]) -> None:
        readable = [e for e in chunk if e.record is not None]
        try:
            applied = await self._apply(readable)
        except (SQLAlchemyError, OSError) as exc:
            raise _DatabaseFailed(chunk[0].line, exc) from exc
        results = dict(zip((id(e) for e in readable), applied, strict=True))
        for entry in chunk:
            self._report(entry, entry.rejected or results[id(entry)])

    async def _apply(self, entries: list[Entry]) -> list[R | Rejected]:
        if not entries:
            return []
        # Drafts afresh on every attempt: taking them in may add problems to them.
        drafts = [self.kind.draft(e.record) for e in entries if e.record is not None]
        session: AbstractAsyncContextManager[AsyncSession] = (
            self.db.read() if self.dry_run else self.db.write.begin()
        )
        try:
            async with session as s:
                return list(await self.kind.apply(s, drafts, self.dry_run))
        except (IntegrityError, DataError) as exc:
            if len(entries) > 1:  # find the record at fault: one transaction each
                return [r for e in entries for r in await self._apply([e])]
            reason = f"the database refused it: {first_line(exc)}"
            return [Rejected([Problem((), reason, "DATABASE_REFUSED")])]

    def _report(self, entry: Entry, result: R | Rejected) -> None:
        self.records += 1
        if isinstance(result, Rejected):
            self.tally["rejected"] += 1
            for problem in result.problems:
                print(f"{entry.label}: {problem}", file=sys.stderr)
        else:
            key, text = self.kind.report(result, entry.label, entry.line, self.dry_run)
            self.tally[key] += 1
            if text is not None:
                print(text)
        if self.records % PROGRESS_EVERY == 0:
            print(f"csdesk: {self.records:,} records read: {self._counts()} ({self._rate()})",
                  file=sys.stderr, flush=True)  # fmt: skip

    def _counts(self) -> str:
        return self.kind.summary(self.tally, False).split(";")[0]

    def _rate(self) -> str:
        elapsed = time.perf_counter() - self.started
        return f"{self.records / elapsed:,.0f} records/s" if elapsed > 0 else "-"

    def _end(self, code: int) -> int:
        text = self.kind.summary(self.tally, self.dry_run)
        if self.tally["rejected"]:
            text += "; see the errors above"
        if self.dry_run:
            text += "; dry run, nothing was written"
        elif not self.records:
            text += "; the file holds no records"
        print(text, flush=True)
        if self.records >= PROGRESS_EVERY:
            elapsed = time.perf_counter() - self.started
            print(f"csdesk: {self.records:,} records in {elapsed:.1f} s ({self._rate()})",
                  file=sys.stderr, flush=True)  # fmt: skip
        return code


async def run_import(
    url: str,
    kind: Kind[D, R],
    records: Iterator[tuple[int, Record | Rejected]],
    name: str,
    dry_run: bool,
) -> int:
    """Import ``records`` into the database at ``url``; the exit status."""
    db = Database.connect(url)
    try:
        return await Runner(db, kind, dry_run).run(records, name)
    finally:
        await db.dispose()
