"""Imports take records in a chunk at a time (one transaction each), and report exactly as if
each record stood alone: the same lines, the same data, whatever the chunk size; a record the
database itself refuses is found and rejected alone, and the rest of its chunk lands."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select, text

from core.db import Database
from csdesk.cli import main
from csdesk.commands import import_runner
from models import Order
from tests.test_import import add_reference_data, bad, counts, jsonl, record

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
async def ref_db(empty_db: Database) -> Database:
    await add_reference_data(empty_db)
    return empty_db


async def cli(db: Database, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setenv("CSDESK_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    code: int = await asyncio.to_thread(main, list(argv))
    return code


def mixed_file(path: Path) -> Path:
    customer = record()["customer"]
    path.write_text(
        jsonl(
            record(clientReference="A-1"),
            bad("lines.0.sku", "NOPE") | {"clientReference": "A-2"},
            record(clientReference="A-3", customer=customer | {"id": "SF-3"}),
            "{broken",
            record(clientReference="a-1"),
            record(clientReference="A-4", customer=customer | {"id": "SF-3"}),
            bad("store", "XX") | {"clientReference": "A-5"},
            record(clientReference="A-6"),
            record(clientReference="A-3"),
            bad("lines.0.sku", "NOPE") | {"clientReference": "A-6"},
        )
    )
    return path


async def orders(db: Database) -> list[tuple[str, str | None, int]]:
    async with db.read() as session:
        rows = await session.execute(
            select(Order.number, Order.client_reference, Order.customer_id).order_by(Order.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.mark.parametrize("chunk", [1, 2, 3, 500])
async def test_the_report_and_the_data_do_not_depend_on_the_chunk_size(
    chunk: int,
    ref_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(import_runner, "CHUNK_RECORDS", chunk)
    path = mixed_file(tmp_path / "orders.jsonl")
    assert await cli(ref_db, monkeypatch, "import", "orders", "-v", str(path)) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "line 1 (A-1): imported as order 100001",
        "line 3 (A-3): imported as order 100002",
        "line 5 (a-1): skipped: already imported as order 100001",
        "line 6 (A-4): imported as order 100003",
        "line 8 (A-6): imported as order 100004",
        "line 9 (A-3): skipped: already imported as order 100002",
        "line 10 (A-6): skipped: already imported as order 100004",
        "imported 4, skipped 3 (already imported), rejected 3; see the errors above",
    ]
    assert captured.err.splitlines()[0] == 'line 2 (A-2): lines[0].sku: unknown SKU "NOPE"'
    assert captured.err.splitlines()[1].startswith("line 4: not valid JSON")
    assert captured.err.splitlines()[2:] == ['line 7 (A-5): store: unknown store "XX"']
    rows = await orders(ref_db)
    assert [(n, r) for n, r, _ in rows] == [
        ("100001", "A-1"), ("100002", "A-3"), ("100003", "A-4"), ("100004", "A-6")
    ]  # fmt: skip
    # One customer per storefront id, reused across orders and chunks.
    assert rows[0][2] == rows[3][2] and rows[1][2] == rows[2][2] != rows[0][2]


@pytest.mark.parametrize("chunk", [1, 2, 500])
async def test_dry_run_reports_like_the_import(
    chunk: int,
    ref_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(import_runner, "CHUNK_RECORDS", chunk)
    path = mixed_file(tmp_path / "orders.jsonl")
    before = await counts(ref_db)
    assert await cli(ref_db, monkeypatch, "import", "orders", "--dry-run", str(path)) == 1
    assert capsys.readouterr().out.splitlines() == [
        "line 5 (a-1): skipped: same clientReference as line 1",
        "line 9 (A-3): skipped: same clientReference as line 3",
        "line 10 (A-6): skipped: same clientReference as line 8",
        "valid 4, skipped 3 (already imported), rejected 3; see the errors above; "
        "dry run, nothing was written",
    ]
    assert await counts(ref_db) == before


async def _refuse(db: Database, reference: str) -> None:
    """Make the database itself refuse orders with this client reference (no check of ours
    foresees it): a trigger on SQLite, a CHECK constraint on PostgreSQL."""
    async with db.write.begin() as session:
        if db.is_sqlite:
            await session.execute(
                text(
                    'CREATE TRIGGER refuse BEFORE INSERT ON "order" '
                    f"WHEN NEW.client_reference = '{reference}' "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
        else:
            await session.execute(
                text(
                    'ALTER TABLE "order" ADD CONSTRAINT refuse '
                    f"CHECK (client_reference <> '{reference}')"
                )
            )


async def test_a_record_the_database_refuses_is_rejected_alone(
    ref_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _refuse(ref_db, "B-3")
    path = tmp_path / "orders.jsonl"
    path.write_text(jsonl(*(record(clientReference=f"B-{i}") for i in range(1, 6))))
    assert await cli(ref_db, monkeypatch, "import", "orders", str(path)) == 1
    captured = capsys.readouterr()
    (error,) = captured.err.splitlines()
    assert error.startswith("line 3 (B-3): the database refused it: ")
    assert captured.out.splitlines() == [
        "imported 4, skipped 0 (already imported), rejected 1; see the errors above"
    ]
    rows = await orders(ref_db)
    assert [(n, r) for n, r, _ in rows] == [
        ("100001", "B-1"), ("100002", "B-2"), ("100003", "B-4"), ("100004", "B-5")
    ]  # fmt: skip
    after = await counts(ref_db)
    assert (after["order"], after["line"], after["history_entry"], after["customer"]) == (
        4, 12, 4, 1
    )  # fmt: skip


async def test_the_example_catalog_in_chunks_of_one(
    empty_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(import_runner, "CHUNK_RECORDS", 1)
    catalog = str(EXAMPLES / "catalog.jsonl")
    assert await cli(empty_db, monkeypatch, "import", "catalog", catalog) == 0
    assert await cli(empty_db, monkeypatch, "import", "stock", str(EXAMPLES / "stock.jsonl")) == 0
    assert await cli(empty_db, monkeypatch, "import", "catalog", catalog) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "created 17, updated 0, unchanged 0, rejected 0; SKUs: 31 created, 0 updated",
        "set 124, unchanged 0, rejected 0",
        "created 0, updated 0, unchanged 17, rejected 0; SKUs: 0 created, 0 updated",
    ]
