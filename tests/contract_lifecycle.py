"""Contract cases of the order lifecycle's operations (tests/test_contract.py runs them) on the
seeded data, found the way their clients find them: the warehouse from order numbers and
line statuses, the SPA through the queue and availableActions. ``integration`` cases run with
an API token of the seeded integration user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import GraphQLClient

Variables = Callable[[GraphQLClient], Awaitable[dict[str, Any]]]
Check = Callable[[dict[str, Any]], None]

BY_STATUS = """query($status: [OrderStatus!], $type: OrderType) {
  orders(filter: {status: $status, orderType: $type}, first: 60) { edges { node {
    id number shipping { amount } lines { id number status }
    availableActions { kind allowed lineIds refundIds } } } } }"""
OPEN_RETURNS = """{ postsalesActions(filter: {kind: RETURN, status: [REQUESTED]}, first: 50) {
  edges { node { noRefund order { number } returnSource { code }
    actionLines { line { number status } } } } } }"""
FAILED = """{ orders(filter: {appeasementStatus: FAILED}, first: 10) { edges { node {
  number availableActions { kind allowed refundIds } } } } }"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


async def _orders(gql: GraphQLClient, status: str) -> list[dict[str, Any]]:
    edges = (await gql.data(BY_STATUS, {"status": [status], "type": "NORMAL"}))["orders"]["edges"]
    return [e["node"] for e in edges]


async def _allowed(gql: GraphQLClient, kind: str, status: str) -> dict[str, Any]:
    for order in await _orders(gql, status):
        if any(a["kind"] == kind and a["allowed"] for a in order["availableActions"]):
            return order
    raise AssertionError(f"no seeded {status} order allows {kind}")


async def _with_lines(gql: GraphQLClient, status: str, line_status: str) -> tuple[str, list[int]]:
    for order in await _orders(gql, status):
        numbers = [ln["number"] for ln in order["lines"] if ln["status"] == line_status]
        if numbers:
            return order["number"], numbers
    raise AssertionError(f"no seeded {status} order with {line_status} lines")


async def released(gql: GraphQLClient) -> dict[str, Any]:
    order = (await _orders(gql, "ORDER_REVIEW"))[0]
    return {"eventId": "contract-released", "orderNumber": order["number"]}


async def shipped(gql: GraphQLClient) -> dict[str, Any]:
    number, lines = await _with_lines(gql, "RELEASED", "ORDERED")
    return {
        "eventId": "contract-shipped",
        "orderNumber": number,
        "lineNumbers": lines,
        "carrier": "DHL",
        "trackingNumber": "00340434161094042557",
        "trackingUrl": "https://track.example/00340434161094042557",
        "shippedAt": _now(),
    }


async def delivered(gql: GraphQLClient) -> dict[str, Any]:
    number, lines = await _with_lines(gql, "SHIPPED", "SHIPPED")
    return {
        "eventId": "contract-delivered",
        "orderNumber": number,
        "lineNumbers": lines,
        "deliveredAt": _now(),
    }


async def received(gql: GraphQLClient) -> dict[str, Any]:
    for edge in (await gql.data(OPEN_RETURNS))["postsalesActions"]["edges"]:
        action = edge["node"]
        lines = [x["line"]["number"] for x in action["actionLines"]]
        return {
            "eventId": "contract-received",
            "orderNumber": action["order"]["number"],
            "lineNumbers": lines,
            "source": action["returnSource"]["code"],
            "receivedAt": _now(),
            "dispositions": [{"lineNumber": n, "disposition": "RESTOCK"} for n in lines],
        }
    raise AssertionError("no seeded return is REQUESTED")


async def with_shipments(gql: GraphQLClient) -> dict[str, Any]:
    return {"number": (await _orders(gql, "DELIVERED"))[0]["number"]}


async def with_refunds(gql: GraphQLClient) -> dict[str, Any]:
    found = await gql.data(
        "{ postsalesActions(filter: {kind: APPEASEMENT}, first: 1) { edges { node { order "
        "{ number } } } } }"
    )
    return {"number": found["postsalesActions"]["edges"][0]["node"]["order"]["number"]}


async def refund_retry(gql: GraphQLClient) -> dict[str, Any]:
    for edge in (await gql.data(FAILED))["orders"]["edges"]:
        for action in edge["node"]["availableActions"]:
            if action["kind"] == "REFUND_RETRY" and action["allowed"]:
                return {"refundId": action["refundIds"][0]}
    raise AssertionError("no seeded FAILED refund to retry")


async def shipping_appeasement(gql: GraphQLClient) -> dict[str, Any]:
    order = await _allowed(gql, "SHIPPING_APPEASEMENT", "DELIVERED")
    return {
        "orderId": order["id"],
        "amount": "1.00",
        "reason": "LATE_DELIVERY",
        "comment": "Parcel arrived a week late.",
    }


async def shipping_update(gql: GraphQLClient) -> dict[str, Any]:
    order = await _allowed(gql, "SHIPPING_UPDATE", "ORDER_REVIEW")
    return {
        "orderId": order["id"],
        "shippingMethod": "Express",
        "shippingAddress": {
            "name": "Jo Bloggs",
            "line1": "9 Nowhere Lane",
            "city": "Leeds",
            "postalCode": "LS1 4AP",
            "country": "GB",
            "phone": "+44 7700 900777",
        },
    }


async def customer_orders(gql: GraphQLClient) -> dict[str, Any]:
    q = '{ order(number: "100001") { customer { id } } }'
    customer = (await gql.data(q))["order"]["customer"]["id"]
    return {"number": "100001", "customerId": customer, "first": 20}


async def _constant(variables: dict[str, Any]) -> dict[str, Any]:
    return variables


def _success(field: str, check: Callable[[dict[str, Any]], bool] = lambda r: True) -> Check:
    def run(data: dict[str, Any]) -> None:
        result = data[field]
        assert result["__typename"].endswith("Success") or result["__typename"] == (
            "ReasonChanged"
        ), result
        assert check(result), result

    return run


def _shipments(data: dict[str, Any]) -> None:
    order = data["order"]
    assert order["shipments"], order
    parcel = order["shipments"][0]
    assert parcel["carrier"] and parcel["trackingNumber"] and parcel["lines"]
    assert parcel["deliveredAt"] is not None  # a delivered order


def _refunds(data: dict[str, Any]) -> None:
    refunds = data["order"]["refunds"]
    assert refunds and all(r["kind"] and r["status"] and r["gross"]["amount"] for r in refunds)
    by_action = [r for a in data["order"]["postsalesActions"] for r in a["refunds"]]
    assert {r["id"] for r in by_action} == {r["id"] for r in refunds}


def _customer(data: dict[str, Any]) -> None:
    customer = data["order"]["customer"]
    assert customer["orderCount"] >= 1
    numbers = [e["node"]["number"] for e in data["orders"]["edges"]]
    assert "100001" in numbers


def _reasons(data: dict[str, Any]) -> None:
    reasons = data["postsalesReasons"]
    assert reasons and reasons[0]["kind"] == "CANCELLATION"
    assert {x["language"] for r in reasons for x in r["labels"]} >= {"de", "fr"}
    assert data["sources"]


CASES: dict[str, tuple[str | None, Variables, Check]] = {
    "WarehouseOrderReleased": (
        "integration",
        released,
        _success("warehouseOrderReleased", lambda r: r["order"]["status"] == "RELEASED"),
    ),
    "WarehouseLinesShipped": (
        "integration",
        shipped,
        _success("warehouseLinesShipped", lambda r: bool(r["shipment"]["lines"])),
    ),
    "WarehouseLinesDelivered": (
        "integration",
        delivered,
        _success("warehouseLinesDelivered", lambda r: r["order"]["status"] == "DELIVERED"),
    ),
    "WarehouseReturnReceived": (
        "integration",
        received,
        _success(
            "warehouseReturnReceived",
            lambda r: {x["disposition"] for x in r["action"]["actionLines"]} == {"RESTOCK"},
        ),
    ),
    "OrderShipments": ("agent", with_shipments, _shipments),
    "OrderRefunds": ("supervisor", with_refunds, _refunds),
    "RefundRetry": (
        "supervisor",
        refund_retry,
        _success("refundRetry", lambda r: r["refund"]["status"] == "REQUESTED"),
    ),
    "ShippingAppeasementCreate": (
        "agent",
        shipping_appeasement,
        _success("shippingAppeasementCreate", lambda r: r["action"]["status"] == "REQUESTED"),
    ),
    "OrderShippingUpdate": (
        "agent",
        shipping_update,
        _success("orderShippingUpdate", lambda r: r["order"]["shippingMethod"] == "Express"),
    ),
    "CustomerOrders": ("agent", customer_orders, _customer),
    "ReasonsAdmin": (
        "admin",
        lambda gql: _constant({"kind": "CANCELLATION", "language": "fr"}),
        _reasons,
    ),
    "ReasonCreate": (
        "admin",
        lambda gql: _constant(
            {
                "kind": "RESHIPMENT",
                "code": "STOLEN_FROM_DOORSTEP",
                "label": "Stolen from the doorstep",
                "labels": [{"language": "de", "label": "Vor der Tür gestohlen"}],
            }
        ),
        _success("reasonCreate", lambda r: r["reason"]["active"]),
    ),
    "ReasonUpdate": (
        "admin",
        lambda gql: _constant(
            {
                "kind": "CANCELLATION",
                "code": "FRAUD_SUSPECTED",
                "label": "Fraud suspected by the payment provider",
                "active": False,
            }
        ),
        _success("reasonUpdate", lambda r: r["reason"]["active"] is False),
    ),
    "SourceUpdate": (
        "admin",
        lambda gql: _constant({"code": "PARIS-SHOP", "acceptsReturns": True}),
        _success("sourceUpdate", lambda r: r["source"]["acceptsReturns"] is True),
    ),
}
