"""Order intake (resolvers.intake) and ``csdesk import orders`` on both backends."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import Database
from csdesk.cli import main
from csdesk.commands import import_runner
from models import (
    ActorKind,
    Base,
    Customer,
    HistoryEntry,
    HistoryKind,
    Line,
    LineStatus,
    Order,
    OrderStatus,
    OrderType,
    Sku,
    Source,
    Store,
    Style,
)
from resolvers.errors import IntakeRejected
from resolvers.intake import Outcome, import_order, parse_record
from resolvers.intake import writes as intake_module

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "orders.jsonl"

STORES = [
    ("UK", "United Kingdom", "GBP", "en-GB", "GB"),
    ("DE", "Deutschland", "EUR", "de", "DE"),
    ("US", "United States", "USD", "en-US", "US"),
    ("FR", "France", "EUR", "fr", "FR"),
    ("JP", "Japan", "JPY", "ja", "JP"),
]
# The demo seed's sources, in its order (LON-WH first), and the SKUs of the tests and of
# examples/orders.jsonl (which are in the demo catalogue of seeds 1 and 7).
SOURCES = ["LON-WH", "BER-WH", "NJ-WH", "PARIS-SHOP", "MAN-OUTLET"]
STYLES = {
    "TEE-ORG": ["TEE-ORG-M-NAVY", "TEE-ORG-L-WHT"],
    "HOOD-ZIP": ["HOOD-ZIP-M-GRY"],
    "ST1001": ["ST1001-BLA-L"],
    "ST1003": ["ST1003-TAN-8"],
    "ST1004": ["ST1004-STO-32"],
    "ST1005": ["ST1005-CAM-L"],
    "ST1007": ["ST1007-SKY-L"],
    "ST1008": ["ST1008-TER-M"],
    "ST1009": ["ST1009-WHI-10"],
    "ST1011": ["ST1011-MUS-ONESIZE"],
}


async def add_reference_data(db: Database) -> None:
    """Stores, sources and a small catalogue: what the tests and the examples need."""
    async with db.write.begin() as session:
        for code, name, currency, language, vat in STORES:
            session.add(
                Store(code=code, name=name, currency=currency, language=language, vat_country=vat)
            )
        for code in SOURCES:
            session.add(Source(code=code, name=f"Source {code}", accepts_returns=True))
            await session.flush()  # ids in list order: LON-WH is the first source
        for style_code, skus in STYLES.items():
            style = Style(code=style_code, name=style_code.title())
            session.add(style)
            await session.flush()
            for sku in skus:
                session.add(
                    Sku(
                        code=sku,
                        style_id=style.id,
                        name=f"Product {sku}",
                        attributes={"size": sku.rsplit("-", 1)[-1]},
                        image_url=f"https://img.example/{sku}.jpg",
                        list_price=Decimal("20.00"),
                    )
                )


@pytest.fixture
async def ref_db(empty_db: Database) -> Database:
    await add_reference_data(empty_db)
    return empty_db


def record(**changes: Any) -> dict[str, Any]:
    """A valid UK record (two lines, three units); keyword arguments replace fields."""
    base: dict[str, Any] = {
        "clientReference": "WEB-UK-TEST01",
        "store": "UK",
        "purchasedAt": "2025-03-14T10:26:53+01:00",
        "currency": "GBP",
        "customer": {
            "id": "SF-UK-1",
            "type": "REGISTERED",
            "name": "Siobhán O'Connor",
            "email": "Siobhan.OConnor@Example.co.uk",
            "phone": "+44 7700 900123",
        },
        "shippingAddress": {
            "name": "Siobhán O'Connor",
            "line1": "27 Queen's Road",
            "city": "London",
            "postalCode": "SW1A 1AA",
            "country": "GB",
        },
        "billingAddress": {
            "name": "Séan O'Connor",
            "line1": "1 Rue de l'Église",
            "city": "Bristol",
            "postalCode": "BS1 4DJ",
            "country": "gb",
        },
        "shippingMethod": "STANDARD",
        "paymentMethod": "CARD",
        "shippingAmount": "3.95",
        "lines": [
            {"sku": "TEE-ORG-M-NAVY", "quantity": 2, "unitPrice": "24.00", "taxRate": "0.2"},
            {
                "sku": "HOOD-ZIP-M-GRY",
                "quantity": 1,
                "unitPrice": "49.00",
                "discount": "9.80",
                "taxRate": "0.2",
                "source": "BER-WH",
            },
        ],
    }
    base.update(changes)
    return base


def jsonl(*records: dict[str, Any] | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


async def counts(db: Database) -> dict[str, int]:
    """Row count of every table."""
    async with db.read() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


async def intake(db: Database, rec: dict[str, Any], **kwargs: Any) -> Any:
    async with db.write.begin() as session:
        return await import_order(session, rec, **kwargs)


async def run_cli(db: Database, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("CSDESK_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    code: int = await asyncio.to_thread(main, ["import", "orders", *args])
    return code


# -- intake --------------------------------------------------------------------------------


async def test_good_record_creates_order_lines_customer_and_history(ref_db: Database) -> None:
    result = await intake(ref_db, record())
    assert (result.outcome, result.order_number) == (Outcome.IMPORTED, "100001")

    async with ref_db.read() as session:
        order = (await session.scalars(select(Order))).one()
        lines = (await session.scalars(select(Line).order_by(Line.number))).all()
        customer = (await session.scalars(select(Customer))).one()
        history = (await session.scalars(select(HistoryEntry))).one()
        sources = {s.id: s.code for s in await session.scalars(select(Source))}
    assert order.id == result.order_id
    assert (order.number, order.number_seq, order.version) == ("100001", 100001, 1)
    assert (order.status, order.order_type) == (OrderStatus.ORDER_REVIEW, OrderType.NORMAL)
    assert order.purchased_at == dt.datetime(2025, 3, 14, 9, 26, 53, tzinfo=dt.UTC)
    assert (order.language, order.vat_country, order.currency) == ("en-GB", "GB", "GBP")
    assert order.client_reference == "WEB-UK-TEST01"
    assert order.billing_country == "GB"
    # 2 × 24.00 + (49.00 − 9.80); tax 20 % per unit; shipping 3.95.
    assert order.subtotal == Decimal("97.00")
    assert order.discount_total == Decimal("9.80")
    assert order.net_total == Decimal("87.20")
    assert order.tax_total == Decimal("17.44")
    assert order.shipping_amount == Decimal("3.95")
    assert order.grand_total == order.amount_due == Decimal("108.59")

    assert [(ln.number, ln.sku_code) for ln in lines] == [
        (1, "TEE-ORG-M-NAVY"),
        (2, "TEE-ORG-M-NAVY"),
        (3, "HOOD-ZIP-M-GRY"),
    ]
    assert all(ln.status is LineStatus.ORDERED for ln in lines)
    assert [ln.net_amount for ln in lines] == [Decimal("24.00"), Decimal("24.00"), Decimal("39.20")]
    assert [ln.tax for ln in lines] == [Decimal("4.80"), Decimal("4.80"), Decimal("7.84")]
    assert [ln.refundable_net for ln in lines] == [ln.net_amount for ln in lines]
    assert lines[0].product_name == "Product TEE-ORG-M-NAVY"
    assert lines[0].image_url == "https://img.example/TEE-ORG-M-NAVY.jpg"
    # Lines without a source ship from the first source; the hoodie names its own.
    assert [sources[ln.source_id] for ln in lines if ln.source_id] == ["LON-WH", "LON-WH", "BER-WH"]

    assert order.reference_key == "web-uk-test01"
    assert order.email_key == "siobhan.oconnor@example.co.uk"
    assert order.phone_key == "7700900123"
    assert order.shipping_postal_key == "sw1a1aa"
    assert order.name_key == " siobhan oconnor sean "
    assert order.billing_address_key == "1 rue de l'eglise | bristol"

    assert (customer.external_id, customer.name, order.customer_id) == (
        "SF-UK-1",
        "Siobhán O'Connor",
        customer.id,
    )
    assert history.kind is HistoryKind.ORDER_PLACED
    assert (history.actor_kind, history.actor_label) == (ActorKind.SYSTEM, "storefront")
    assert history.message == "Order placed in the UK store (WEB-UK-TEST01)"
    assert history.at == order.purchased_at


async def test_numbers_are_sequential_and_customers_reused(ref_db: Database) -> None:
    first = await intake(ref_db, record())
    second = await intake(ref_db, record(clientReference="WEB-UK-TEST02"))
    assert (first.order_number, second.order_number) == ("100001", "100002")
    assert (await counts(ref_db))["customer"] == 1


async def test_same_reference_is_skipped_case_insensitively(ref_db: Database) -> None:
    await intake(ref_db, record())
    before = await counts(ref_db)
    again = await intake(ref_db, record(clientReference=" web-uk-test01 "))
    assert (again.outcome, again.order_number) == (Outcome.SKIPPED, "100001")
    assert await counts(ref_db) == before


async def test_json_numbers_are_exact_decimals(ref_db: Database) -> None:
    line = '{"sku": "TEE-ORG-M-NAVY", "quantity": 3, "unitPrice": 0.1, "taxRate": 0}'
    rec = parse_record(json.dumps(record(shippingAmount=0, lines=[])).replace("[]", f"[{line}]"))
    await intake(ref_db, rec)
    async with ref_db.read() as session:
        order = (await session.scalars(select(Order))).one()
    assert order.grand_total == Decimal("0.30")


def bad(change: str, value: Any) -> dict[str, Any]:
    """The valid record with one field (dotted path, numbers index arrays) set or removed."""
    rec = copy.deepcopy(record())
    *parents, last = change.split(".")
    target: Any = rec
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: Any = int(last) if last.isdigit() else last
    if value is _DELETE:
        del target[key]
    else:
        target[key] = value
    return rec


_DELETE = object()

BAD_RECORDS = [
    ("store", "XX", 'store: unknown store "XX"'),
    ("lines.1.sku", "TSHIRT-XL-RED", 'lines[1].sku: unknown SKU "TSHIRT-XL-RED"'),
    ("currency", "EUR", "currency: EUR given, the UK store sells in GBP"),
    ("lines.0.unitPrice", "24.001", "lines[0].unitPrice: 24.001 has more decimals than GBP"),
    ("shippingAmount", "1.5e2", 'shippingAmount: expected a decimal number such as "19.99"'),
    ("lines.0.unitPrice", "-5.00", "lines[0].unitPrice: -5.00 is not greater than 0"),
    ("lines.0.unitPrice", 1.5, "lines[0].unitPrice: binary floating point is not accepted"),
    ("purchasedAt", _DELETE, "purchasedAt: missing"),
    ("purchasedAt", "2025-03-14T10:26:53", 'purchasedAt: "2025-03-14T10:26:53" has no UTC'),
    ("customer.email", "not-an-email", 'customer.email: "not-an-email" is not an email address'),
    ("customer.type", "VIP", 'customer.type: "VIP" is not GUEST, REGISTERED or B2B'),
    ("lines.0.quantity", 0, "lines[0].quantity: 0 is not between 1 and 999"),
    ("lines.0.quantity", "2", "lines[0].quantity: expected a whole number"),
    ("lines.1.discount", "49.01", "lines[1].discount: 49.01 is more than the unit price"),
    ("lines.0.taxRate", "1", "lines[0].taxRate: 1 is not between 0 and 1"),
    ("lines.0.source", "WH-MOON", 'lines[0].source: unknown source "WH-MOON"'),
    ("lines", [], "lines: expected a non-empty array of lines"),
    ("shippingAddress.line1", "  ", "shippingAddress.line1: must not be empty"),
    (
        "billingAddress.country",
        "GBR",
        'billingAddress.country: "GBR" is not an ISO 3166-1 alpha-2 country code',
    ),
    ("giftMessage", "Happy birthday", "giftMessage: unknown field"),
    ("grandTotal", "108.58", "grandTotal: 108.58 given, the lines and shipping add up to 108.59"),
]


@pytest.mark.parametrize(
    ("change", "value", "reason"), BAD_RECORDS, ids=[b[2] for b in BAD_RECORDS]
)
async def test_bad_record_is_rejected_and_writes_nothing(
    ref_db: Database, change: str, value: Any, reason: str
) -> None:
    before = await counts(ref_db)
    with pytest.raises(IntakeRejected) as exc_info:
        await intake(ref_db, bad(change, value))
    assert any(str(p).startswith(reason) for p in exc_info.value.problems), exc_info.value.problems
    assert await counts(ref_db) == before


async def test_precision_follows_the_store_currency(ref_db: Database) -> None:
    rec = record(store="JP", currency="JPY", shippingAmount="500", clientReference="WEB-JP-1")
    rec["lines"] = [
        {"sku": "TEE-ORG-M-NAVY", "quantity": 1, "unitPrice": "2980.5", "taxRate": "0.1"}
    ]
    with pytest.raises(IntakeRejected) as exc_info:
        await intake(ref_db, rec)
    assert [str(p) for p in exc_info.value.problems] == [
        "lines[0].unitPrice: 2980.5 has more decimals than JPY allows (0)"
    ]
    rec["lines"][0]["unitPrice"] = "2980"
    assert (await intake(ref_db, rec)).outcome is Outcome.IMPORTED


async def test_every_problem_of_a_record_is_reported(ref_db: Database) -> None:
    rec = record(store="XX", purchasedAt=None)
    rec["lines"][0].update(quantity=0, sku="NOPE")
    with pytest.raises(IntakeRejected) as exc_info:
        await intake(ref_db, rec)
    assert {p.where for p in exc_info.value.problems} == {
        "store", "purchasedAt", "lines[0].quantity", "lines[0].sku"
    }  # fmt: skip
    assert ["lines", "0", "sku"] in [p.field for p in exc_info.value.problems]


async def test_dry_run_validates_and_writes_nothing(ref_db: Database) -> None:
    before = await counts(ref_db)
    result = await intake(ref_db, record(), dry_run=True)
    assert (result.outcome, result.order_number) == (Outcome.VALID, None)
    assert await counts(ref_db) == before


async def test_concurrent_intakes_of_the_same_records_do_not_duplicate(ref_db: Database) -> None:
    records = [record(clientReference=f"WEB-UK-C{i}") for i in range(6)]

    async def one_pass() -> list[Outcome]:
        return [(await intake(ref_db, rec)).outcome for rec in records]

    passes = await asyncio.gather(one_pass(), one_pass(), one_pass())
    assert sorted(o for p in passes for o in p).count(Outcome.IMPORTED) == 6
    async with ref_db.read() as session:
        numbers = (await session.scalars(select(Order.number_seq))).all()
    assert sorted(numbers) == list(range(100001, 100007))
    assert (await counts(ref_db))["customer"] == 1


async def test_concurrent_intakes_of_different_records_get_distinct_numbers(
    ref_db: Database,
) -> None:
    results = await asyncio.gather(
        *(
            intake(ref_db, record(clientReference=f"WEB-UK-D{i}", customer={
                "id": f"SF-UK-D{i}", "type": "GUEST", "name": "Zoë", "email": f"z{i}@example.com"
            }))
            for i in range(8)
        )
    )  # fmt: skip
    assert sorted(int(r.order_number) for r in results) == list(range(100001, 100009))
    assert (await counts(ref_db))["customer"] == 8


async def test_number_taken_by_another_writer_is_retried(
    ref_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writers that do not take the numbering lock collide on PostgreSQL: intake retries."""

    async def no_lock(session: Any, key: int) -> None:
        return None

    monkeypatch.setattr(intake_module, "advisory_lock", no_lock)
    await test_concurrent_intakes_of_different_records_get_distinct_numbers(ref_db)


# -- the command ---------------------------------------------------------------------------


async def test_example_file_imports_cleanly(
    ref_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_cli(ref_db, monkeypatch, "--verbose", str(EXAMPLES)) == 0
    out = capsys.readouterr().out
    assert "line 1 (WEB-UK-8F3K2Q): imported as order 100001" in out
    assert out.strip().endswith("imported 5, skipped 0 (already imported), rejected 0")
    async with ref_db.read() as session:
        stores = (await session.execute(select(Order.number, Store.code).join(Store))).all()
    assert sorted(stores) == [
        ("100001", "UK"), ("100002", "DE"), ("100003", "US"), ("100004", "FR"), ("100005", "UK")
    ]  # fmt: skip


async def test_examples_import_into_the_demo_database(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with db.read() as session:
        highest = await session.scalar(select(func.max(Order.number_seq)))
        seeded = await session.scalar(
            select(Order).where(Order.order_type == OrderType.NORMAL).order_by(Order.id).limit(1)
        )
    assert highest is not None and seeded is not None and seeded.client_reference
    path = tmp_path / "orders.jsonl"
    again = record(clientReference=seeded.client_reference.lower())
    path.write_text(EXAMPLES.read_text(encoding="utf-8") + jsonl(again), encoding="utf-8")

    assert await run_cli(db, monkeypatch, str(path)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"line 6 ({again['clientReference']}): skipped: already imported as order {seeded.number}",
        "imported 5, skipped 1 (already imported), rejected 0",
    ]
    async with db.read() as session:
        new = (
            await session.scalars(
                select(Order).where(Order.number_seq > highest).order_by(Order.number_seq)
            )
        ).all()
    assert [o.number for o in new] == [str(highest + i) for i in range(1, 6)]
    assert [o.client_reference for o in new][:2] == ["WEB-UK-8F3K2Q", "WEB-DE-4KD93M"]


async def test_mixed_file_imports_the_good_records_and_reports_the_bad(
    ref_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text(
        jsonl(
            record(clientReference="GOOD-1"),
            '{"clientReference": "BROKEN", "store": ',
            bad("lines.1.sku", "TSHIRT-XL-RED") | {"clientReference": "BAD-SKU"},
            "",
            record(clientReference="GOOD-2", customer=record()["customer"] | {"id": "SF-2"}),
            bad("currency", "EUR") | {"clientReference": "BAD-CUR"},
            record(clientReference="GOOD-1"),
        ),
        encoding="utf-8",
    )
    before = await counts(ref_db)
    assert await run_cli(ref_db, monkeypatch, str(path)) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert errors[0].startswith("line 2: not valid JSON: ")
    assert errors[1:] == [
        'line 3 (BAD-SKU): lines[1].sku: unknown SKU "TSHIRT-XL-RED"',
        "line 6 (BAD-CUR): currency: EUR given, the UK store sells in GBP",
    ]
    assert captured.out.splitlines() == [
        "line 7 (GOOD-1): skipped: already imported as order 100001",
        "imported 2, skipped 1 (already imported), rejected 3; see the errors above",
    ]
    after = await counts(ref_db)
    changed = {t: after[t] - before[t] for t in after if after[t] != before[t]}
    assert changed == {"order": 2, "line": 6, "customer": 2, "history_entry": 2}


async def test_reimporting_a_file_duplicates_nothing(
    ref_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_cli(ref_db, monkeypatch, str(EXAMPLES)) == 0
    before = await counts(ref_db)
    capsys.readouterr()
    assert await run_cli(ref_db, monkeypatch, str(EXAMPLES)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "line 1 (WEB-UK-8F3K2Q): skipped: already imported as order 100001"
    assert out[-1] == "imported 0, skipped 5 (already imported), rejected 0"
    assert await counts(ref_db) == before


async def test_two_imports_of_the_same_file_at_once_create_each_order_once(
    ref_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = await asyncio.gather(
        run_cli(ref_db, monkeypatch, str(EXAMPLES)), run_cli(ref_db, monkeypatch, str(EXAMPLES))
    )
    assert list(codes) == [0, 0]
    out = capsys.readouterr().out
    assert out.count("skipped: already imported as order") == 5
    counts_now = await counts(ref_db)
    assert (counts_now["order"], counts_now["history_entry"], counts_now["customer"]) == (5, 5, 5)


async def test_dry_run_command_writes_nothing(
    ref_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text(
        jsonl(
            record(),
            record(clientReference="web-uk-test01"),
            bad("store", "XX") | {"clientReference": "WEB-UK-TEST03"},
            # A repeated reference is skipped, as the import would skip it, even when the
            # rest of the record would not pass.
            bad("store", "XX"),
        )
    )
    before = await counts(ref_db)
    assert await run_cli(ref_db, monkeypatch, "--dry-run", str(path)) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "line 2 (web-uk-test01): skipped: same clientReference as line 1",
        "line 4 (WEB-UK-TEST01): skipped: same clientReference as line 1",
        "valid 1, skipped 2 (already imported), rejected 1; see the errors above; "
        "dry run, nothing was written",
    ]
    assert captured.err == 'line 3 (WEB-UK-TEST03): store: unknown store "XX"\n'
    assert await counts(ref_db) == before


async def test_progress_is_reported_on_stderr(
    ref_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(import_runner, "PROGRESS_EVERY", 2)
    path = tmp_path / "orders.jsonl"
    path.write_text(jsonl(*(record(clientReference=f"P-{i}") for i in range(5))))
    assert await run_cli(ref_db, monkeypatch, str(path)) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert re.fullmatch(
        r"csdesk: 2 records read: imported 2, skipped 0 \(already imported\), rejected 0 "
        r"\([\d,]+ records/s\)",
        err[0],
    )
    assert err[1].startswith("csdesk: 4 records read: imported 4, skipped 0")
    assert re.fullmatch(r"csdesk: 5 records in [\d.]+ s \([\d,]+ records/s\)", err[2])


async def test_missing_file_is_a_clear_error(
    ref_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "nope.jsonl"
    assert await run_cli(ref_db, monkeypatch, str(missing)) == 2
    assert capsys.readouterr().err == f"csdesk: cannot read {missing}: No such file or directory\n"
    assert await run_cli(ref_db, monkeypatch, str(tmp_path)) == 2
    assert f"csdesk: cannot read {tmp_path}: " in capsys.readouterr().err


async def test_database_without_schema_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CSDESK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    code = await asyncio.to_thread(main, ["import", "orders", str(EXAMPLES)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("csdesk: the SQLite database ")
    assert "does not exist: create it with `csdesk db upgrade`" in err
    assert not (tmp_path / "new.db").exists()


async def test_invalid_utf8_rejects_only_its_line(
    ref_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(b'{"clientReference": "caf\xe9"}\n' + jsonl(record()).encode())
    assert await run_cli(ref_db, monkeypatch, str(path)) == 1
    captured = capsys.readouterr()
    assert captured.err == "line 1: not valid UTF-8 text\n"
    assert captured.out.endswith("imported 1, skipped 0 (already imported), rejected 1; "
                                 "see the errors above\n")  # fmt: skip


def test_help_describes_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "orders", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "docs/import-format.md" in out
    assert "--dry-run" in out
