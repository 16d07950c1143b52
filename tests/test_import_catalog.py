"""``csdesk import catalog`` and ``csdesk import stock`` on both backends: a fresh database
takes the example catalog, stock and orders; re-running changes nothing; every bad record
is reported by its line and the others land."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from core.db import Database
from csdesk.cli import main
from models import Inventory, Order, Sku, Source, Store, Style
from tests.test_import import counts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CATALOG = EXAMPLES / "catalog.jsonl"
STOCK = EXAMPLES / "stock.jsonl"
ORDERS = EXAMPLES / "orders.jsonl"


async def cli(db: Database, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setenv("CSDESK_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    code: int = await asyncio.to_thread(main, list(argv))
    return code


def jsonl(*records: dict[str, Any] | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def style(code: str = "TEE", **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "style",
        "code": code,
        "name": "Organic Tee",
        "skus": [
            {"code": f"{code}-BLA-M", "name": "Organic Tee – Black, M", "size": "M",
             "colour": "Black", "listPrice": "24.00"},
            {"code": f"{code}-BLA-L", "name": "Organic Tee – Black, L", "size": "L",
             "colour": "Black", "attributes": {"material": "cotton"},
             "imageUrl": "https://img.example/tee-l.jpg", "listPrice": "24.00"},
        ],
    }  # fmt: skip
    record.update(changes)
    return record


STORE: dict[str, Any] = {"type": "store", "code": "UK", "name": "csdesk UK", "currency": "GBP",
         "language": "en", "vatCountry": "gb"}  # fmt: skip
SOURCE: dict[str, Any] = {
    "type": "source",
    "code": "LON-WH",
    "name": "London warehouse",
    "acceptsReturns": True,
}


# -- the examples, on an empty database --------------------------------------------------------


async def test_a_fresh_database_takes_the_example_catalog_stock_and_orders(
    empty_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: every order is refused (the reproduction of issue 14).
    assert await cli(empty_db, monkeypatch, "import", "orders", "--dry-run", str(ORDERS)) == 1
    assert "unknown store" in capsys.readouterr().err

    assert await cli(empty_db, monkeypatch, "import", "catalog", str(CATALOG)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (
        "created 17, updated 0, unchanged 0, rejected 0; SKUs: 31 created, 0 updated"
    )
    assert await cli(empty_db, monkeypatch, "import", "stock", str(STOCK)) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "set 124, unchanged 0, rejected 0"
    assert await cli(empty_db, monkeypatch, "import", "orders", str(ORDERS)) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "imported 5, skipped 0 (already imported), rejected 0"
    )

    async with empty_db.read() as session:
        stores = {s.code: s for s in await session.scalars(select(Store))}
        sources = {s.code: s.accepts_returns for s in await session.scalars(select(Source))}
        sku = await session.scalar(select(Sku).where(Sku.code == "ST1001-BLA-L"))
        style_code = await session.scalar(
            select(Style.code).join(Sku, Sku.style_id == Style.id).where(Sku.code == "ST1001-BLA-L")
        )
        level = await session.scalar(
            select(Inventory.available)
            .join(Store, Store.id == Inventory.store_id)
            .join(Sku, Sku.id == Inventory.sku_id)
            .where(Store.code == "UK", Sku.code == "ST1001-BLA-XL")
        )
        orders = await session.scalar(select(func.count()).select_from(Order))
    assert (stores["DE"].currency, stores["DE"].language, stores["DE"].vat_country) == (
        "EUR", "de", "DE"
    )  # fmt: skip
    assert sources == {"LON-WH": True, "BER-WH": True, "NJ-WH": True, "PARIS-SHOP": False,
                       "MAN-OUTLET": True}  # fmt: skip
    assert sku is not None and style_code == "ST1001"
    assert sku.name == "Men's Organic Tee – Black, L"
    assert sku.attributes == {"size": "L", "colour": "Black", "material": "organic cotton"}
    assert sku.image_url == "https://img.csdesk.example/sku/ST1001-BLA-L.jpg"
    assert sku.list_price == Decimal("24.00")
    assert level == 40
    assert orders == 5

    # Again: nothing changes.
    before = await counts(empty_db)
    assert await cli(empty_db, monkeypatch, "import", "catalog", str(CATALOG)) == 0
    assert await cli(empty_db, monkeypatch, "import", "stock", str(STOCK)) == 0
    last = capsys.readouterr().out.splitlines()
    assert "created 0, updated 0, unchanged 17, rejected 0; SKUs: 0 created, 0 updated" in last
    assert "set 0, unchanged 124, rejected 0" in last
    assert await counts(empty_db) == before


# -- catalog -----------------------------------------------------------------------------------


async def test_records_update_what_they_name_and_clear_what_they_leave_out(
    empty_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "catalog.jsonl"
    path.write_text(jsonl(STORE, SOURCE, style()))
    assert await cli(empty_db, monkeypatch, "import", "catalog", str(path)) == 0
    capsys.readouterr()

    changed = style()
    del changed["skus"][1]["imageUrl"]
    changed["skus"][1]["listPrice"] = "24.0000"  # the same price
    changed["skus"].append(
        {"code": "TEE-NAV-S", "name": "Organic Tee – Navy, S", "size": "S", "listPrice": "22"}
    )
    path.write_text(jsonl(STORE | {"name": "csdesk United Kingdom"}, SOURCE, changed, changed))
    assert await cli(empty_db, monkeypatch, "import", "catalog", "-v", str(path)) == 0
    assert capsys.readouterr().out.splitlines() == [
        "line 1 (store UK): updated",
        "line 2 (source LON-WH): unchanged",
        "line 3 (style TEE): updated (SKUs: 1 created, 1 updated)",
        "line 4 (style TEE): unchanged",
        "created 0, updated 2, unchanged 2, rejected 0; SKUs: 1 created, 1 updated",
    ]
    async with empty_db.read() as session:
        skus = {s.code: s for s in await session.scalars(select(Sku))}
        store = await session.scalar(select(Store))
    assert store is not None and store.name == "csdesk United Kingdom"
    assert store.vat_country == "GB"
    assert skus["TEE-BLA-L"].image_url is None
    assert skus["TEE-NAV-S"].attributes == {"size": "S"}
    assert len(skus) == 3


BAD_CATALOG: list[tuple[dict[str, Any], str]] = [
    ({"type": "warehouse", "code": "X"}, 'type: "warehouse" is not store, source or style'),
    (STORE | {"currency": "gbp"}, 'currency: "gbp" is not an ISO 4217 currency code'),
    (STORE | {"code": "U K"}, 'code: "U K" is not a store code'),
    (STORE | {"timezone": "UTC"}, "timezone: unknown field"),
    ({k: v for k, v in STORE.items() if k != "language"}, "language: missing"),
    (SOURCE | {"acceptsReturns": "yes"}, "acceptsReturns: expected true or false, got 'yes'"),
    (style(skus=[]), "skus: expected a non-empty array of SKUs"),
    (style(skus=[style()["skus"][0]] * 2), 'skus[1].code: "TEE-BLA-M" is also skus[0]'),
    (
        style(skus=[style()["skus"][0] | {"listPrice": "-1"}]),
        "skus[0].listPrice: -1 is negative",
    ),
    (
        style(skus=[style()["skus"][0] | {"listPrice": "1.00001"}]),
        "skus[0].listPrice: 1.00001 has more than 4 decimals",
    ),
    (
        style(skus=[style()["skus"][0] | {"imageUrl": "ftp://x"}]),
        'skus[0].imageUrl: "ftp://x" is not an http(s) URL',
    ),
    (
        style(skus=[style()["skus"][0] | {"attributes": {"size": "XL"}}]),
        'skus[0].attributes.size: give "size" as the SKU\'s own field',
    ),
    (
        style(skus=[style()["skus"][0] | {"attributes": {"fit": 3}}]),
        "skus[0].attributes.fit: expected a string",
    ),
]


async def test_bad_catalog_records_are_reported_and_the_others_land(
    empty_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "catalog.jsonl"
    path.write_text(jsonl(SOURCE, *(bad for bad, _ in BAD_CATALOG), "{oops", style("OK")))
    assert await cli(empty_db, monkeypatch, "import", "catalog", str(path)) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    for line, (_, reason) in enumerate(BAD_CATALOG, start=2):
        assert any(e.startswith(f"line {line}") and reason in e for e in errors), (line, reason)
    assert any(e.startswith(f"line {len(BAD_CATALOG) + 2}: not valid JSON") for e in errors)
    assert captured.out.splitlines()[-1] == (
        f"created 2, updated 0, unchanged 0, rejected {len(BAD_CATALOG) + 1}; "
        "SKUs: 2 created, 0 updated; see the errors above"
    )
    async with empty_db.read() as session:
        assert list(await session.scalars(select(Style.code))) == ["OK"]
        assert list(await session.scalars(select(Store.code))) == []


async def test_a_sku_stays_in_its_style_and_a_store_with_orders_keeps_its_currency(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with db.read() as session:
        sku = (await session.scalars(select(Sku).order_by(Sku.id).limit(1))).one()
    moved = style("NEW", skus=[style()["skus"][0] | {"code": sku.code}])
    path = tmp_path / "catalog.jsonl"
    path.write_text(
        jsonl(moved, STORE | {"currency": "EUR"}, STORE | {"code": "JP", "currency": "JPY"})
    )
    before = await counts(db)
    assert await cli(db, monkeypatch, "import", "catalog", str(path)) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f'line 1 (style NEW): skus[0].code: SKU "{sku.code}" belongs to the style '
        '"ST1001"; a SKU cannot move to another style',
        "line 2 (store UK): currency: the UK store has orders in GBP; its currency cannot change",
    ]
    assert captured.out.splitlines()[-1].startswith("created 1, updated 0, unchanged 0, rejected 2")
    after = await counts(db)
    assert {t: after[t] - before[t] for t in after if after[t] != before[t]} == {"store": 1}

    # Without orders, a store's currency may change.
    path.write_text(jsonl(STORE | {"code": "JP", "currency": "USD"}))
    assert await cli(db, monkeypatch, "import", "catalog", str(path)) == 0
    async with db.read() as session:
        assert await session.scalar(select(Store.currency).where(Store.code == "JP")) == "USD"


async def test_catalog_dry_run_reports_and_writes_nothing(
    empty_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await counts(empty_db)
    assert await cli(empty_db, monkeypatch, "import", "catalog", "--dry-run", str(CATALOG)) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "created 17, updated 0, unchanged 0, rejected 0; SKUs: 31 created, 0 updated; "
        "dry run, nothing was written"
    )
    assert await counts(empty_db) == before


# -- stock -------------------------------------------------------------------------------------


async def test_stock_levels_are_absolute_and_the_last_line_wins(
    empty_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await cli(empty_db, monkeypatch, "import", "catalog", str(CATALOG)) == 0
    capsys.readouterr()
    path = tmp_path / "stock.jsonl"
    path.write_text(
        jsonl(
            {"store": "UK", "sku": "ST1001-BLA-L", "available": 7},
            {"store": "UK", "sku": "ST1001-BLA-L", "available": 9},
            {"store": "XX", "sku": "ST1001-BLA-L", "available": 1},
            {"store": "UK", "sku": "NOPE", "available": 1},
            {"store": "UK", "sku": "ST1001-BLA-M", "available": -1},
            {"store": "UK", "sku": "ST1001-BLA-M", "available": "3"},
            {"store": "UK", "sku": "ST1001-BLA-M", "available": 2, "reserved": 1},
            {"store": "DE", "sku": "ST1001-BLA-M", "available": 0},
        )
    )
    assert await cli(empty_db, monkeypatch, "import", "stock", "-v", str(path)) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "line 1 (UK ST1001-BLA-L): 0 → 7",
        "line 2 (UK ST1001-BLA-L): 7 → 9",
        "line 8 (DE ST1001-BLA-M): 0 → 0",
        "set 3, unchanged 0, rejected 5; see the errors above",
    ]
    assert captured.err.splitlines() == [
        'line 3 (XX ST1001-BLA-L): store: unknown store "XX"',
        'line 4 (UK NOPE): sku: unknown SKU "NOPE"',
        "line 5 (UK ST1001-BLA-M): available: -1 is not between 0 and 1000000000",
        "line 6 (UK ST1001-BLA-M): available: expected a whole number, got '3'",
        "line 7 (UK ST1001-BLA-M): reserved: unknown field",
    ]
    async with empty_db.read() as session:
        levels = sorted((await session.execute(select(Inventory.available))).scalars())
    assert levels == [0, 9]


async def test_stock_from_csv(
    empty_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await cli(empty_db, monkeypatch, "import", "catalog", str(CATALOG)) == 0
    capsys.readouterr()
    path = tmp_path / "stock.CSV"
    path.write_text(
        "sku,store,available\nST1001-BLA-L,UK,12\n\nST1001-BLA-M,UK,1.5\nST1001-BLA-XL,UK\n"
    )
    assert await cli(empty_db, monkeypatch, "import", "stock", str(path)) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "line 4 (UK ST1001-BLA-M): available: expected a whole number, got '1.5'",
        "line 5: expected 3 columns, found 2",
    ]
    assert captured.out.splitlines()[-1].startswith("set 1, unchanged 0, rejected 2")

    path.write_text("store;sku;available\nUK;ST1001-BLA-L;3\n")
    assert await cli(empty_db, monkeypatch, "import", "stock", str(path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "must name the columns store,sku,available" in err
    # --format says so whatever the name.
    other = tmp_path / "levels.txt"
    other.write_text("store,sku,available\nUK,ST1001-BLA-L,4\n")
    assert await cli(empty_db, monkeypatch, "import", "stock", "--format", "csv", str(other)) == 0
    async with empty_db.read() as session:
        assert list(await session.scalars(select(Inventory.available))) == [4]


async def test_stock_dry_run_writes_nothing(
    empty_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await cli(empty_db, monkeypatch, "import", "catalog", str(CATALOG)) == 0
    before = await counts(empty_db)
    assert await cli(empty_db, monkeypatch, "import", "stock", "--dry-run", str(STOCK)) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "set 124, unchanged 0, rejected 0; dry run, nothing was written"
    )
    assert await counts(empty_db) == before


async def test_stock_set_overrides_what_exchanges_took(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with db.write.begin() as session:
        row = (await session.scalars(select(Inventory).limit(1))).one()
        store_id, sku_id = row.store_id, row.sku_id
        await session.execute(
            update(Inventory)
            .where(Inventory.store_id == store_id, Inventory.sku_id == sku_id)
            .values(available=0)
        )
        store = await session.scalar(select(Store.code).where(Store.id == store_id))
        sku = await session.scalar(select(Sku.code).where(Sku.id == sku_id))
    path = tmp_path / "stock.jsonl"
    path.write_text(jsonl({"store": store, "sku": sku, "available": 5}))
    assert await cli(db, monkeypatch, "import", "stock", str(path)) == 0
    async with db.read() as session:
        level = await session.scalar(
            select(Inventory.available).where(
                Inventory.store_id == store_id, Inventory.sku_id == sku_id
            )
        )
    assert level == 5


@pytest.mark.parametrize("kind", ["catalog", "stock"])
def test_help_describes_the_format(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import", kind, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "docs/catalog-format.md" in out and "--dry-run" in out
