"""A real shop on a fresh database, on each engine, the way the README tells an operator:
migrate → first administrator → integration user → catalog → stock → orders → the warehouse
releases and ships an order → an agent exchanges a line for a SKU that the imported stock
holds."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from core.config import Settings
from core.db import Database
from csdesk.app import create_app
from csdesk.cli import main
from models import Inventory, Line, Order, Sku, Store
from tests.conftest import GraphQLClient, _pg_admin, _pg_url

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

ROLE_CREATE = """mutation($i: RoleCreateInput!) { roleCreate(input: $i) { __typename
  ... on RoleCreateSuccess { role { id } } ... on UserError { code message } } }"""
USER_CREATE = """mutation($i: UserCreateInput!) { userCreate(input: $i) { __typename
  ... on UserError { code message } } }"""
UPSERT = """mutation($i: CatalogUpsertInput!) { catalogUpsert(input: $i) { __typename
  ... on CatalogUpsertSuccess { skus { created } } ... on UserError { code message } } }"""
STOCK = """mutation($i: StockLevelsSetInput!) { stockLevelsSet(input: $i) { __typename
  ... on StockLevelsSetSuccess { changed } ... on UserError { code message } } }"""
ORDER = """query($n: String!) { order(number: $n) { id status
  lines { id number sku status } availableActions { kind } } }"""
CANDIDATES = """query($l: ID!) { exchangeCandidates(lineId: $l) { code available } }"""
RELEASED = """mutation($i: WarehouseOrderReleasedInput!) { warehouseOrderReleased(input: $i) {
  __typename ... on UserError { code message } } }"""
SHIPPED = """mutation($i: WarehouseLinesShippedInput!) { warehouseLinesShipped(input: $i) {
  __typename ... on UserError { code message } } }"""
EXCHANGE = """mutation($i: ExchangeCreateInput!) { exchangeCreate(input: $i) { __typename
  ... on ExchangeCreateSuccess { newOrder { number orderType lines { sku } } }
  ... on UserError { code message } } }"""


@pytest.fixture
async def fresh_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database nothing has touched: an SQLite file yet to be created, or an empty
    PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
        return
    name = f"csdesk_shop{os.getpid()}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def csdesk(monkeypatch: pytest.MonkeyPatch, url: str, *argv: str, stdin: str = "") -> int:
    monkeypatch.setenv("CSDESK_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code: int = await asyncio.to_thread(main, list(argv))
    return code


async def test_a_fresh_database_becomes_a_working_shop(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = fresh_url
    assert await csdesk(monkeypatch, url, "db", "upgrade") == 0
    assert await csdesk(
        monkeypatch, url, "user", "create", "--username", "ada", "--display-name", "Ada",
        "--role", "Administrator", "--create-admin-role", stdin="ada-password-1\n",
    ) == 0  # fmt: skip
    assert await csdesk(
        monkeypatch, url, "user", "create", "--integration", "--username", "erp",
        "--display-name", "ERP",
    ) == 0  # fmt: skip
    capsys.readouterr()
    assert await csdesk(monkeypatch, url, "token", "create", "--user", "erp") == 0
    token = capsys.readouterr().out.strip()

    assert await csdesk(monkeypatch, url, "import", "catalog", str(EXAMPLES / "catalog.jsonl")) == 0
    assert await csdesk(monkeypatch, url, "import", "stock", str(EXAMPLES / "stock.jsonl")) == 0
    assert await csdesk(monkeypatch, url, "import", "orders", str(EXAMPLES / "orders.jsonl")) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "imported 5, skipped 0 (already imported), rejected 0"

    db = Database.connect(url)
    app = create_app(Settings(database_url=url), database=db)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            await _the_shop_at_work(db, GraphQLClient(http), token)
    finally:
        await db.dispose()


async def _the_shop_at_work(db: Database, gql: GraphQLClient, token: str) -> None:
    # The ERP adds a size to the tee and its stock, over GraphQL.
    new_size: dict[str, Any] = {
        "code": "ST1001-BLA-S", "name": "Men's Organic Tee – Black, S", "size": "S",
        "colour": "Black", "listPrice": "24.00",
    }  # fmt: skip
    async with db.read() as session:
        tees = list(
            await session.scalars(select(Sku).where(Sku.code.like("ST1001-%")).order_by(Sku.code))
        )
    skus = [
        {"code": s.code, "name": s.name, "listPrice": str(s.list_price),
         "imageUrl": s.image_url, **{k: v for k, v in s.attributes.items()
                                     if k in ("size", "colour")},
         "attributes": {k: v for k, v in s.attributes.items() if k not in ("size", "colour")}}
        for s in tees
    ]  # fmt: skip
    style = {"code": "ST1001", "name": "Men's Organic Tee", "skus": [*skus, new_size]}
    body = await gql.execute(UPSERT, {"i": {"eventId": "erp-1", "styles": [style]}}, token=token)
    assert body["data"]["catalogUpsert"] == {
        "__typename": "CatalogUpsertSuccess", "skus": {"created": 1}
    }  # fmt: skip
    levels = [{"store": "UK", "sku": "ST1001-BLA-S", "available": 2}]
    body = await gql.execute(STOCK, {"i": {"eventId": "wms-1", "levels": levels}}, token=token)
    assert body["data"]["stockLevelsSet"] == {"__typename": "StockLevelsSetSuccess", "changed": 1}

    # The administrator sets up the UK agents' role and an agent.
    await gql.login("ada", "ada-password-1")
    role = await gql.data(
        ROLE_CREATE,
        {"i": {"name": "CS Agent", "level": 3, "storeAccess": "SPECIFIC", "storeCodes": ["UK"],
               "permissions": ["ORDER_VIEW", "EXCHANGE_CREATE"]}},
    )  # fmt: skip
    role_id = role["roleCreate"]["role"]["id"]
    user = await gql.data(
        USER_CREATE,
        {"i": {"username": "sam", "displayName": "Sam", "password": "sam-password-1",
               "roleId": role_id, "timeZone": "Europe/London"}},
    )  # fmt: skip
    assert user["userCreate"]["__typename"] == "UserCreateSuccess"

    # The warehouse releases and ships the first UK order, through its events.
    released = await gql.execute(
        RELEASED, {"i": {"eventId": "wh-1", "orderNumber": "100001"}}, token=token
    )
    assert released["data"]["warehouseOrderReleased"]["__typename"] == (
        "WarehouseOrderReleasedSuccess"
    ), released
    async with db.read() as session:
        order_id = await session.scalar(select(Order.id).where(Order.number == "100001"))
        numbers = list(await session.scalars(select(Line.number).where(Line.order_id == order_id)))
    shipped = await gql.execute(
        SHIPPED,
        {"i": {"eventId": "wh-2", "orderNumber": "100001", "lineNumbers": numbers,
               "carrier": "Royal Mail", "trackingNumber": "RM123456789GB",
               "shippedAt": "2026-11-02T10:00:00Z"}},
        token=token,
    )  # fmt: skip
    assert shipped["data"]["warehouseLinesShipped"]["__typename"] == (
        "WarehouseLinesShippedSuccess"
    ), shipped

    # The agent exchanges the large tee for the small one the ERP just stocked.
    await gql.login("sam", "sam-password-1")
    order = (await gql.data(ORDER, {"n": "100001"}))["order"]
    tee = next(line for line in order["lines"] if line["sku"] == "ST1001-BLA-L")
    candidates = (await gql.data(CANDIDATES, {"l": tee["id"]}))["exchangeCandidates"]
    assert {"code": "ST1001-BLA-S", "available": 2} in candidates
    assert {"code": "ST1001-BLA-M", "available": 1} in candidates  # from examples/stock.jsonl
    result = await gql.data(
        EXCHANGE,
        {
            "i": {
                "orderId": order["id"],
                "lines": [{"lineId": tee["id"], "skuCode": "ST1001-BLA-S"}],
            }
        },
    )
    assert result["exchangeCreate"]["__typename"] == "ExchangeCreateSuccess", result
    assert result["exchangeCreate"]["newOrder"] == {
        "number": "100001-E1", "orderType": "EXCHANGE", "lines": [{"sku": "ST1001-BLA-S"}]
    }  # fmt: skip
    async with db.read() as session:
        left = await session.scalar(
            select(Inventory.available)
            .join(Store, Store.id == Inventory.store_id)
            .join(Sku, Sku.id == Inventory.sku_id)
            .where(Store.code == "UK", Sku.code == "ST1001-BLA-S")
        )
    assert left == 1
    # The agent sees only the UK store's orders.
    assert (await gql.data(ORDER, {"n": "100002"}))["order"] is None
