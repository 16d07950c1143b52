"""Contract cases of the exchange, reshipment, cancellation and availableActions operations
(tests/test_contract.py runs them): their variables are found in the seeded data the way the
SPA would find them, through availableActions and exchangeCandidates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import GraphQLClient

Variables = Callable[[GraphQLClient], Awaitable[dict[str, Any]]]
Check = Callable[[dict[str, Any]], None]

FIND = """query($status: [OrderStatus!]) {
  orders(filter: {status: $status}, first: 60) { edges { node {
    id number availableActions { kind allowed lineIds } } } } }"""
CANDIDATES = "query($id: ID!) { exchangeCandidates(lineId: $id) { code } }"


async def _allowed(gql: GraphQLClient, kind: str, status: str) -> tuple[dict[str, Any], list[str]]:
    """The first seeded order (newest first) of ``status`` on which ``kind`` is allowed, and
    the lines it accepts."""
    edges = (await gql.data(FIND, {"status": [status]}))["orders"]["edges"]
    for edge in edges:
        for action in edge["node"]["availableActions"]:
            if action["kind"] == kind and action["allowed"]:
                return edge["node"], action["lineIds"]
    raise AssertionError(f"no seeded {status} order allows {kind}")


async def exchange_candidates(gql: GraphQLClient) -> dict[str, Any]:
    _, lines = await _allowed(gql, "EXCHANGE", "DELIVERED")
    return {"lineId": lines[0]}


async def exchange_create(gql: GraphQLClient) -> dict[str, Any]:
    order, lines = await _allowed(gql, "EXCHANGE", "DELIVERED")
    code = (await gql.data(CANDIDATES, {"id": lines[0]}))["exchangeCandidates"][0]["code"]
    return {
        "orderId": order["id"],
        "lines": [{"lineId": lines[0], "skuCode": code}],
        "comment": "Customer would like another size.",
    }


async def reshipment_create(gql: GraphQLClient) -> dict[str, Any]:
    order, lines = await _allowed(gql, "RESHIPMENT", "DELIVERED")
    return {
        "orderId": order["id"],
        "lineIds": lines[:1],
        "shippingMethod": "Express",
        "shippingAddress": {
            "name": "Jo Bloggs",
            "line1": "9 Nowhere Lane",
            "city": "Leeds",
            "postalCode": "LS1 4AP",
            "country": "GB",
        },
        "comment": "Parcel lost in transit.",
        "reason": "LOST_IN_TRANSIT",
    }


async def order_cancel(gql: GraphQLClient) -> dict[str, Any]:
    order, _ = await _allowed(gql, "CANCEL", "ORDER_REVIEW")
    return {
        "orderId": order["id"],
        "reason": "CUSTOMER_REQUEST",
        "comment": "Customer changed their mind.",
    }


async def order_actions(gql: GraphQLClient) -> dict[str, Any]:
    order, _ = await _allowed(gql, "EXCHANGE", "DELIVERED")
    return {"number": order["number"]}


def _candidates(data: dict[str, Any]) -> None:
    found = data["exchangeCandidates"]
    assert found and all(sku["available"] >= 1 for sku in found), found


def _new_order(suffix: str) -> Check:
    def check(data: dict[str, Any]) -> None:
        result = next(iter(data.values()))
        assert result["__typename"].endswith("Success"), result
        assert f"-{suffix}" in result["newOrder"]["number"]
        assert result["newOrder"]["amountDue"]["amount"] in ("0", "0.00")

    return check


def _cancelled(data: dict[str, Any]) -> None:
    result = data["orderCancel"]
    assert result["__typename"] == "OrderCancelSuccess", result
    assert result["order"]["status"] == "CANCELLED"
    assert result["order"]["history"][0]["kind"] == "CANCELLATION"


def _actions(data: dict[str, Any]) -> None:
    kinds = {a["kind"]: a for a in data["order"]["availableActions"]}
    assert kinds["EXCHANGE"]["allowed"] and kinds["EXCHANGE"]["lineIds"]
    assert kinds["RETURN_APPROVE"]["reason"] == "MISSING_PERMISSION"  # the agent may not


# operation name → (who runs it, how its variables are found, what the result must show)
CASES: dict[str, tuple[str | None, Variables, Check]] = {
    "ExchangeCandidates": ("agent", exchange_candidates, _candidates),
    "ExchangeCreate": ("agent", exchange_create, _new_order("E")),
    "ReshipmentCreate": ("agent", reshipment_create, _new_order("R")),
    "OrderCancel": ("agent", order_cancel, _cancelled),
    "OrderActions": ("agent", order_actions, _actions),
}
