"""``catalogUpsert`` and ``stockLevelsSet`` over HTTP: INTEGRATION only, the records of the
files with the same checks, all or nothing per event, idempotent on the event id."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from core.db import Database
from models import Inventory, Sku, Store, Style
from tests.conftest import GraphQLClient
from tests.test_import import counts
from tests.test_integrations import integration_token

UPSERT = """mutation($i: CatalogUpsertInput!) { catalogUpsert(input: $i) { __typename
  ... on CatalogUpsertSuccess { stores { created updated unchanged }
    sources { created updated unchanged } styles { created updated unchanged }
    skus { created updated unchanged } }
  ... on IntakeRejected { code message problems { field message code } }
  ... on UserError { code message field } } }"""
STOCK = """mutation($i: StockLevelsSetInput!) { stockLevelsSet(input: $i) { __typename
  ... on StockLevelsSetSuccess { changed unchanged }
  ... on IntakeRejected { code problems { field message code } }
  ... on UserError { code message field } } }"""

EVENT: dict[str, Any] = {
    "eventId": "erp-1",
    "stores": [
        {"code": "NL", "name": "csdesk Nederland", "currency": "EUR", "language": "nl",
         "vatCountry": "nl"}
    ],
    "sources": [{"code": "AMS-WH", "name": "Amsterdam warehouse", "acceptsReturns": True}],
    "styles": [
        {"code": "RAIN", "name": "Rain Jacket", "skus": [
            {"code": "RAIN-YEL-M", "name": "Rain Jacket – Yellow, M", "size": "M",
             "colour": "Yellow", "attributes": {"material": "recycled polyester"},
             "imageUrl": "https://img.example/rain-m.jpg", "listPrice": "89.95"},
            {"code": "RAIN-YEL-L", "name": "Rain Jacket – Yellow, L", "size": "L",
             "colour": "Yellow", "listPrice": "89.95"},
        ]}
    ],
}  # fmt: skip


async def test_a_catalog_event_upserts_once(db: Database, gql: GraphQLClient) -> None:
    token = await integration_token(db)
    first = await gql.execute(UPSERT, {"i": EVENT}, token=token)
    assert first["data"]["catalogUpsert"] == {
        "__typename": "CatalogUpsertSuccess",
        "stores": {"created": 1, "updated": 0, "unchanged": 0},
        "sources": {"created": 1, "updated": 0, "unchanged": 0},
        "styles": {"created": 1, "updated": 0, "unchanged": 0},
        "skus": {"created": 2, "updated": 0, "unchanged": 0},
    }
    async with db.read() as session:
        store = (await session.scalars(select(Store).where(Store.code == "NL"))).one()
        sku = (await session.scalars(select(Sku).where(Sku.code == "RAIN-YEL-M"))).one()
        style = await session.scalar(select(Style.code).where(Style.id == sku.style_id))
    assert (store.currency, store.language, store.vat_country) == ("EUR", "nl", "NL")
    assert style == "RAIN"
    assert sku.attributes == {"size": "M", "colour": "Yellow", "material": "recycled polyester"}

    # The same event again: the first answer, nothing changed.
    before = await counts(db)
    assert (await gql.execute(UPSERT, {"i": EVENT}, token=token))["data"] == first["data"]
    assert await counts(db) == before
    # The same content under a new event id: everything unchanged.
    again = await gql.execute(UPSERT, {"i": EVENT | {"eventId": "erp-2"}}, token=token)
    assert again["data"]["catalogUpsert"]["skus"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert again["data"]["catalogUpsert"]["styles"]["unchanged"] == 1
    # The same event id with other content is refused.
    other = copy.deepcopy(EVENT)
    other["stores"][0]["name"] = "Other"
    reused = await gql.execute(UPSERT, {"i": other}, token=token)
    assert reused["data"]["catalogUpsert"]["code"] == "EVENT_ID_REUSED"


async def test_a_bad_record_rejects_the_whole_event(db: Database, gql: GraphQLClient) -> None:
    token = await integration_token(db)
    bad = copy.deepcopy(EVENT) | {"eventId": "erp-bad"}
    bad["styles"][0]["skus"][1]["code"] = "RAIN YEL L"
    bad["styles"][0]["skus"][0]["listPrice"] = "-1"
    bad["stores"][0]["currency"] = "eur"
    before = await counts(db)
    body = await gql.execute(UPSERT, {"i": bad}, token=token)
    result = body["data"]["catalogUpsert"]
    assert result["__typename"] == "IntakeRejected"
    assert [(p["field"], p["code"]) for p in result["problems"]] == [
        (["input", "stores", "0", "currency"], "INVALID"),
        (["input", "styles", "0", "skus", "0", "listPrice"], "INVALID"),
        (["input", "styles", "0", "skus", "1", "code"], "INVALID"),
    ]
    assert await counts(db) == before
    # A refused event is not remembered: corrected, it may come again with its id.
    fixed = copy.deepcopy(EVENT) | {"eventId": "erp-bad"}
    body = await gql.execute(UPSERT, {"i": fixed}, token=token)
    assert body["data"]["catalogUpsert"]["__typename"] == "CatalogUpsertSuccess"


async def test_a_sku_cannot_move_and_a_store_with_orders_keeps_its_currency(
    db: Database, gql: GraphQLClient
) -> None:
    token = await integration_token(db)
    async with db.read() as session:
        sku = (await session.scalars(select(Sku).order_by(Sku.id).limit(1))).one()
    event = {
        "eventId": "erp-3",
        "stores": [{"code": "UK", "name": "csdesk UK", "currency": "EUR", "language": "en",
                    "vatCountry": "GB"}],
        "styles": [{"code": "OTHER", "name": "Other", "skus": [
            {"code": sku.code, "name": sku.name, "listPrice": "1"}]}],
    }  # fmt: skip
    body = await gql.execute(UPSERT, {"i": event}, token=token)
    problems = body["data"]["catalogUpsert"]["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [
        (["input", "stores", "0", "currency"], "CURRENCY_LOCKED"),
        (["input", "styles", "0", "skus", "0", "code"], "SKU_OF_ANOTHER_STYLE"),
    ]


async def test_stock_levels_are_set_once(db: Database, gql: GraphQLClient) -> None:
    token = await integration_token(db)
    async with db.read() as session:
        sku = (await session.scalars(select(Sku).order_by(Sku.id).limit(1))).one()
    levels = [
        {"store": "UK", "sku": sku.code, "available": 17},
        {"store": "DE", "sku": sku.code, "available": 0},
    ]
    event = {"eventId": "wms-1", "levels": levels}
    first = await gql.execute(STOCK, {"i": event}, token=token)
    assert first["data"]["stockLevelsSet"]["__typename"] == "StockLevelsSetSuccess"
    assert sum(first["data"]["stockLevelsSet"][k] for k in ("changed", "unchanged")) == 2
    again = await gql.execute(STOCK, {"i": event | {"eventId": "wms-2"}}, token=token)
    assert again["data"]["stockLevelsSet"] == {
        "__typename": "StockLevelsSetSuccess", "changed": 0, "unchanged": 2
    }  # fmt: skip
    async with db.read() as session:
        level = await session.scalar(
            select(Inventory.available)
            .join(Store, Store.id == Inventory.store_id)
            .where(Store.code == "UK", Inventory.sku_id == sku.id)
        )
    assert level == 17

    before = await counts(db)
    bad = {"eventId": "wms-3", "levels": [
        {"store": "UK", "sku": sku.code, "available": 5},
        {"store": "XX", "sku": sku.code, "available": 1},
        {"store": "UK", "sku": "NOPE", "available": -2},
    ]}  # fmt: skip
    body = await gql.execute(STOCK, {"i": bad}, token=token)
    problems = body["data"]["stockLevelsSet"]["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [
        (["input", "levels", "1", "store"], "UNKNOWN_STORE"),
        (["input", "levels", "2", "available"], "INVALID"),
        (["input", "levels", "2", "sku"], "UNKNOWN_SKU"),
    ]
    assert await counts(db) == before


async def test_an_event_has_a_size_limit(db: Database, gql: GraphQLClient) -> None:
    token = await integration_token(db)
    levels = [{"store": "UK", "sku": "X", "available": 1}] * 10_001
    body = await gql.execute(STOCK, {"i": {"eventId": "wms-big", "levels": levels}}, token=token)
    result = body["data"]["stockLevelsSet"]
    assert result["__typename"] == "ValidationFailed"
    assert "at most 10,000" in result["message"]


async def test_catalog_and_stock_need_the_integration_permission(gql: GraphQLClient) -> None:
    await gql.login("admin")  # every permission but INTEGRATION
    for query, event in ((UPSERT, EVENT), (STOCK, {"eventId": "x", "levels": []})):
        body = await gql.execute(query, {"i": event})
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
