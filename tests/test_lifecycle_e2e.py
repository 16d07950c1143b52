"""Issue 13's "done when", over HTTP on each engine: an order imported through `orderImport` is
released, shipped with tracking, delivered, returned with a restocking disposition and
refunded, all through the API, and every step is in its history and visible to an agent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db import Database
from models import Inventory, Sku, Store
from tests.conftest import GraphQLClient
from tests.test_integrations import integration_token, storefront_record

IMPORT = """mutation($i: OrderImportInput!) { orderImport(input: $i) { __typename
  ... on OrderImportSuccess { outcome order { number status } }
  ... on UserError { code message } } }"""
RELEASED = """mutation($i: WarehouseOrderReleasedInput!) { warehouseOrderReleased(input: $i) {
  __typename ... on WarehouseOrderReleasedSuccess { order { number status } }
  ... on UserError { code message field } } }"""
SHIPPED = """mutation($i: WarehouseLinesShippedInput!) { warehouseLinesShipped(input: $i) {
  __typename ... on WarehouseLinesShippedSuccess { order { status lines { number status } }
    shipment { carrier trackingNumber lines { number } } }
  ... on UserError { code message field } } }"""
DELIVERED = """mutation($i: WarehouseLinesDeliveredInput!) { warehouseLinesDelivered(input: $i) {
  __typename ... on WarehouseLinesDeliveredSuccess { order { status lines { number status } } }
  ... on UserError { code message field } } }"""
RETURN = """mutation($i: ReturnCreateInput!) { returnCreate(input: $i) { __typename
  ... on ReturnCreateSuccess { action { id status } } ... on UserError { code message } } }"""
RECEIVED = """mutation($i: WarehouseReturnReceivedInput!) { warehouseReturnReceived(input: $i) {
  __typename ... on WarehouseReturnReceivedSuccess { action { id status } }
  ... on UserError { code message field } } }"""
CONFIRM = """mutation($i: PaymentRefundConfirmedInput!) { paymentRefundConfirmed(input: $i) {
  __typename ... on PaymentRefundConfirmedSuccess { refund { id status } }
  ... on UserError { code message } } }"""
DETAIL = """query($n: String!) { order(number: $n) {
  id number status
  lines { id number sku status refunds { kind status net { amount } gross { amount } } }
  shipments { carrier trackingNumber trackingUrl shippedAt deliveredAt lines { number } }
  refunds { id kind status net { amount currency } tax { amount } gross { amount }
            createdAt updatedAt line { number } }
  postsalesActions { kind status
    actionLines { line { number } reason disposition receivedAt }
    refunds { kind status gross { amount } } }
  availableActions { kind allowed reason lineIds }
  history { kind message actor { kind displayName }
    details { lineNumbers tracking { carrier trackingNumber trackingUrl }
              refund { status } gross { amount } dispositions { lineNumber disposition } } }
} }"""


async def stock(db: Database, store: str, sku: str) -> int:
    async with db.read() as s:
        units = await s.scalar(
            select(Inventory.available)
            .join(Store, Store.id == Inventory.store_id)
            .join(Sku, Sku.id == Inventory.sku_id)
            .where(Store.code == store, Sku.code == sku)
        )
    return int(units or 0)


def ok(body: dict[str, Any], field: str, success: str) -> dict[str, Any]:
    assert not body.get("errors"), body["errors"]
    result: dict[str, Any] = body["data"][field]
    assert result["__typename"] == success, result
    return result


async def test_an_imported_order_goes_from_review_to_refunded_return(
    db: Database, gql: GraphQLClient
) -> None:
    token = await integration_token(db)
    imported = ok(
        await gql.execute(
            IMPORT,
            {"i": {"eventId": "sf-e2e", "order": storefront_record("WEB-UK-E2E001")}},
            token=token,
        ),
        "orderImport",
        "OrderImportSuccess",
    )
    number = imported["order"]["number"]
    assert imported["order"]["status"] == "ORDER_REVIEW"

    await gql.login("agent")
    order = (await gql.data(DETAIL, {"n": number}))["order"]
    actions = {a["kind"]: a for a in order["availableActions"]}
    assert actions["CANCEL"]["allowed"] and actions["SHIPPING_UPDATE"]["allowed"]
    assert not actions["RETURN"]["allowed"]

    released = ok(
        await gql.execute(
            RELEASED, {"i": {"eventId": "wh-e2e-1", "orderNumber": number}}, token=token
        ),
        "warehouseOrderReleased",
        "WarehouseOrderReleasedSuccess",
    )
    assert released["order"]["status"] == "RELEASED"
    order = (await gql.data(DETAIL, {"n": number}))["order"]
    actions = {a["kind"]: a for a in order["availableActions"]}
    assert actions["CANCEL"] == {**actions["CANCEL"], "allowed": False, "reason": "ORDER_STATUS"}
    assert actions["SHIPPING_UPDATE"]["reason"] == "ORDER_STATUS"

    shipped = ok(
        await gql.execute(
            SHIPPED,
            {
                "i": {
                    "eventId": "wh-e2e-2",
                    "orderNumber": number,
                    "lineNumbers": [1, 2, 3],
                    "carrier": "Royal Mail",
                    "trackingNumber": "RM123456785GB",
                    "trackingUrl": "https://track.example/RM123456785GB",
                    "shippedAt": "2026-11-20T16:00:00Z",
                }
            },
            token=token,
        ),
        "warehouseLinesShipped",
        "WarehouseLinesShippedSuccess",
    )
    assert shipped["order"]["status"] == "SHIPPED"
    assert shipped["shipment"]["lines"] == [{"number": 1}, {"number": 2}, {"number": 3}]

    delivered = ok(
        await gql.execute(
            DELIVERED,
            {
                "i": {
                    "eventId": "wh-e2e-3",
                    "orderNumber": number,
                    "lineNumbers": [1, 2, 3],
                    "deliveredAt": "2026-11-21T11:30:00Z",
                }
            },
            token=token,
        ),
        "warehouseLinesDelivered",
        "WarehouseLinesDeliveredSuccess",
    )
    assert delivered["order"]["status"] == "DELIVERED"

    order = (await gql.data(DETAIL, {"n": number}))["order"]
    line = order["lines"][2]
    before = await stock(db, "UK", line["sku"])
    made = ok(
        await gql.execute(
            RETURN,
            {
                "i": {
                    "orderId": order["id"],
                    "comment": "Customer says it is too small.",
                    "lines": [{"lineId": line["id"], "reason": "TOO_SMALL"}],
                }
            },
        ),
        "returnCreate",
        "ReturnCreateSuccess",
    )
    assert made["action"]["status"] == "REQUESTED"

    received = ok(
        await gql.execute(
            RECEIVED,
            {
                "i": {
                    "eventId": "wh-e2e-4",
                    "orderNumber": number,
                    "lineNumbers": [3],
                    "source": "LON-WH",
                    "receivedAt": "2026-11-25T09:00:00Z",
                    "dispositions": [{"lineNumber": 3, "disposition": "RESTOCK"}],
                }
            },
            token=token,
        ),
        "warehouseReturnReceived",
        "WarehouseReturnReceivedSuccess",
    )
    assert received["action"]["status"] == "APPROVED"
    assert await stock(db, "UK", line["sku"]) == before + 1

    order = (await gql.data(DETAIL, {"n": number}))["order"]
    [refund] = order["refunds"]
    assert (refund["kind"], refund["status"], refund["line"]) == (
        "RETURN",
        "REQUESTED",
        {"number": 3},
    )
    ok(
        await gql.execute(
            CONFIRM,
            {"i": {"eventId": "pay-e2e-1", "refundId": refund["id"], "outcome": "RELEASED"}},
            token=token,
        ),
        "paymentRefundConfirmed",
        "PaymentRefundConfirmedSuccess",
    )

    # What the agent sees at the end.
    order = (await gql.data(DETAIL, {"n": number}))["order"]
    assert order["status"] == "DELIVERED"
    assert [ln["status"] for ln in order["lines"]] == ["DELIVERED", "DELIVERED", "RETURNED"]
    [shipment] = order["shipments"]
    assert shipment["carrier"] == "Royal Mail"
    assert shipment["trackingNumber"] == "RM123456785GB"
    assert shipment["trackingUrl"] == "https://track.example/RM123456785GB"
    assert shipment["shippedAt"].startswith("2026-11-20T16:00:00")
    assert shipment["deliveredAt"].startswith("2026-11-21T11:30:00")
    assert [ln["number"] for ln in shipment["lines"]] == [1, 2, 3]
    [refund] = order["refunds"]
    assert refund["status"] == "RELEASED" and refund["createdAt"] and refund["updatedAt"]
    assert order["lines"][2]["refunds"][0]["status"] == "RELEASED"
    assert order["lines"][0]["refunds"] == []
    [ret] = [a for a in order["postsalesActions"] if a["kind"] == "RETURN"]
    assert ret["status"] == "APPROVED"
    assert ret["actionLines"] == [
        {
            "line": {"number": 3},
            "reason": "TOO_SMALL",
            "disposition": "RESTOCK",
            "receivedAt": ret["actionLines"][0]["receivedAt"],
        }
    ]
    assert ret["actionLines"][0]["receivedAt"].startswith("2026-11-25T09:00:00")
    assert [r["status"] for r in ret["refunds"]] == ["RELEASED"]

    history = order["history"]
    by_integration = [h for h in history if h["actor"]["kind"] == "INTEGRATION"]
    messages = " | ".join(h["message"] for h in by_integration)
    for step in ("eleased", "hipped", "elivered", "eceived", "efund"):
        assert step in messages, (step, messages)
    tracked = [h for h in history if h["details"]["tracking"]]
    assert tracked and tracked[0]["details"]["tracking"] == {
        "carrier": "Royal Mail",
        "trackingNumber": "RM123456785GB",
        "trackingUrl": "https://track.example/RM123456785GB",
    }
    assert tracked[0]["details"]["lineNumbers"] == [1, 2, 3]
    receipt = [h for h in history if h["details"]["dispositions"]]
    assert receipt[0]["details"]["dispositions"] == [{"lineNumber": 3, "disposition": "RESTOCK"}]
    released_refund = [h for h in history if (h["details"]["refund"] or {}).get("status")]
    assert any(h["details"]["refund"]["status"] == "RELEASED" for h in released_refund)
    kinds = [h["kind"] for h in history]
    assert kinds.count("STATUS_CHANGED") >= 3  # released, shipped, delivered
