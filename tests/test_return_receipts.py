"""Returns that reach the shelf: the warehouse's receipt records a disposition per line, RESTOCK
putting the unit back into the store's stock in the same transaction; receipt and disposition
show on the action, with each line's own return reason."""

from __future__ import annotations

from typing import Any

from core.db import Database
from models.enums import OrderStatus
from tests.action_helpers import order_with, set_stock, sign_in, snapshot, stock_of, style_skus
from tests.conftest import GraphQLClient
from tests.test_integrations import integration_token

RETURN = """mutation($i: ReturnCreateInput!) { returnCreate(input: $i) { __typename
  ... on ReturnCreateSuccess { action { id reason
      actionLines { line { number } reason disposition receivedAt } } }
  ... on UserError { code message } } }"""
RECEIVED = """mutation($i: WarehouseReturnReceivedInput!) { warehouseReturnReceived(input: $i) {
  __typename ... on WarehouseReturnReceivedSuccess { action { status
      actionLines { line { number status } reason disposition receivedAt } refunds { status } } }
  ... on UserError { code message field } } }"""
APPROVE = """mutation($a: ID!) { returnApprove(input: {actionId: $a}) { __typename } }"""


async def returned(db: Database, gql: GraphQLClient) -> dict[str, Any]:
    """A delivered UK order of two SKUs (5 units of each in stock), both lines in one return
    with different reasons."""
    async with db.write() as s:
        a, b, *_ = await style_skus(s)
        await set_stock(s, "UK", a.id, 5)
        await set_stock(s, "UK", b.id, 5)
        await s.commit()
    order = await order_with(db, [a, b], status=OrderStatus.DELIVERED)
    await sign_in(db, gql, "supervisor")
    q = "query($n: String!) { order(number: $n) { id lines { id } } }"
    found = (await gql.data(q, {"n": order.number}))["order"]
    made = (
        await gql.data(
            RETURN,
            {
                "i": {
                    "orderId": found["id"],
                    "comment": "Both wrong",
                    "lines": [
                        {"lineId": found["lines"][0]["id"], "reason": "TOO_SMALL"},
                        {"lineId": found["lines"][1]["id"], "reason": "DAMAGED"},
                    ],
                }
            },
        )
    )["returnCreate"]
    return {"number": order.number, "action": made["action"], "skus": (a.id, b.id)}


def receipt(number: str, event: str, **extra: Any) -> dict[str, Any]:
    return {
        "i": {
            "eventId": event,
            "orderNumber": number,
            "lineNumbers": [1, 2],
            "source": "LON-WH",
            "receivedAt": "2026-11-24T10:00:00Z",
            **extra,
        }
    }


async def test_each_line_keeps_its_own_return_reason(db: Database, gql: GraphQLClient) -> None:
    made = await returned(db, gql)
    action = made["action"]
    assert action["reason"] is None  # the lines differ
    assert [(x["line"]["number"], x["reason"]) for x in action["actionLines"]] == [
        (1, "TOO_SMALL"),
        (2, "DAMAGED"),
    ]
    assert all(x["disposition"] is None and x["receivedAt"] is None for x in action["actionLines"])


async def test_a_receipt_restocks_restock_lines_only(db: Database, gql: GraphQLClient) -> None:
    made = await returned(db, gql)
    a, b = made["skus"]
    token = await integration_token(db)
    dispositions = [
        {"lineNumber": 1, "disposition": "RESTOCK"},
        {"lineNumber": 2, "disposition": "DAMAGED"},
    ]
    body = await gql.execute(
        RECEIVED, receipt(made["number"], "rcv-1", dispositions=dispositions), token=token
    )
    result = body["data"]["warehouseReturnReceived"]
    assert result["__typename"] == "WarehouseReturnReceivedSuccess", result
    assert result["action"]["status"] == "APPROVED"
    lines = result["action"]["actionLines"]
    assert [(x["line"]["status"], x["disposition"]) for x in lines] == [
        ("RETURNED", "RESTOCK"),
        ("RETURNED", "DAMAGED"),
    ]
    assert all(x["receivedAt"].startswith("2026-11-24T10:00:00") for x in lines)
    assert [r["status"] for r in result["action"]["refunds"]] == ["REQUESTED", "REQUESTED"]
    assert (await stock_of(db, "UK", a), await stock_of(db, "UK", b)) == (6, 5)
    # Received again: nothing awaits those lines any more.
    before = await snapshot(db)
    again = await gql.execute(RECEIVED, receipt(made["number"], "rcv-2"), token=token)
    assert again["data"]["warehouseReturnReceived"]["code"] == "NOT_FOUND"
    assert await snapshot(db) == before


async def test_a_receipt_after_a_manual_approval_restocks_without_refunding_twice(
    db: Database, gql: GraphQLClient
) -> None:
    made = await returned(db, gql)
    a, _ = made["skus"]
    await gql.data(APPROVE, {"a": made["action"]["id"]})
    token = await integration_token(db)
    body = await gql.execute(
        RECEIVED,
        receipt(
            made["number"], "rcv-3", dispositions=[{"lineNumber": 1, "disposition": "RESTOCK"}]
        ),
        token=token,
    )
    result = body["data"]["warehouseReturnReceived"]
    assert result["__typename"] == "WarehouseReturnReceivedSuccess", result
    assert len(result["action"]["refunds"]) == 2  # those of the approval, no new ones
    assert [x["disposition"] for x in result["action"]["actionLines"]] == ["RESTOCK", None]
    assert await stock_of(db, "UK", a) == 6


async def test_dispositions_of_lines_not_received_are_refused(
    db: Database, gql: GraphQLClient
) -> None:
    made = await returned(db, gql)
    token = await integration_token(db)
    before = await snapshot(db)
    for n, dispositions in enumerate(
        (
            [{"lineNumber": 3, "disposition": "RESTOCK"}],
            [
                {"lineNumber": 1, "disposition": "RESTOCK"},
                {"lineNumber": 1, "disposition": "DAMAGED"},
            ],
        )
    ):
        body = await gql.execute(
            RECEIVED, receipt(made["number"], f"bad-{n}", dispositions=dispositions), token=token
        )
        result = body["data"]["warehouseReturnReceived"]
        assert (result["code"], result["field"]) == (
            "VALIDATION_FAILED",
            ["input", "dispositions"],
        ), result
    assert await snapshot(db) == before
