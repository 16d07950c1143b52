"""Reshipments: the R order with the same SKUs, an optional new method and address (required
fields only, not validated), stock reserved, history on both orders, and rejections."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from models import Order, PostsalesAction, PostsalesActionLine
from models.enums import ActionKind, LineStatus, OrderStatus, Permission
from tests.action_helpers import (
    RESHIP,
    gid,
    lines_of,
    make_user,
    order_with,
    outbox,
    ref,
    set_stock,
    sign_in,
    snapshot,
    stock_of,
    style_skus,
)
from tests.conftest import GraphQLClient

ADDRESS = {
    "name": "Jo Bloggs",
    "line1": "Flat 2, 9 Nowhere Lane",
    "line2": "c/o Neighbour",
    "city": "Leeds",
    "postalCode": "LS1 4AP",
    "country": "gb",
}


async def reship(
    gql: GraphQLClient, order: dict[str, Any], numbers: list[int], **extra: Any
) -> Any:
    ids = [line["id"] for line in order["lines"] if line["number"] in numbers]
    payload = {"orderId": order["id"], "lineIds": ids, **extra}
    return (await gql.data(RESHIP, {"input": payload}))["reshipmentCreate"]


async def test_reshipment_with_a_new_address_and_method(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        a, b, *_ = await style_skus(s)
        await set_stock(s, "UK", a.id, 2)
        await set_stock(s, "UK", b.id, 2)
        await s.commit()
    origin = await order_with(db, [a, b, b], status=OrderStatus.SHIPPED)
    await sign_in(db, gql, "agent")
    before = await ref(gql, origin.number)
    result = await reship(
        gql,
        before,
        [1, 3],
        shippingMethod="Express",
        shippingAddress=ADDRESS,
        comment="Parcel lost in transit.",
    )
    assert result["__typename"] == "ReshipmentCreateSuccess", result
    new = result["newOrder"]
    assert new["number"] == f"{origin.number}-R1"
    assert (new["orderType"], new["status"], new["paymentMethod"]) == (
        "RESHIPMENT",
        "ORDER_REVIEW",
        "Reshipment – no payment",
    )
    assert new["amountDue"] == {"amount": "0.00", "currency": "GBP"}
    assert new["shippingMethod"] == "Express"
    assert new["shippingAddress"] == {
        "name": "Jo Bloggs",
        "line1": "Flat 2, 9 Nowhere Lane",
        "line2": "c/o Neighbour",
        "city": "Leeds",
        "region": None,
        "postalCode": "LS1 4AP",
        "country": "GB",
        "phone": None,
    }
    old = result["order"]
    assert new["billingAddress"] == old["billingAddress"]
    assert new["customer"] == old["customer"]
    assert [(x["number"], x["sku"], x["status"]) for x in new["lines"]] == [
        (1, a.code, "ORDERED"),
        (2, b.code, "ORDERED"),
    ]
    assert [x["total"] for x in new["lines"]] == [
        old["lines"][0]["total"],
        old["lines"][2]["total"],
    ]
    # The original lines keep their status: a reshipment is not a return.
    assert [x["status"] for x in old["lines"]] == ["SHIPPED"] * 3
    assert old["version"] == before["version"] + 1
    assert old["warnings"] == []
    assert result["action"]["kind"] == "RESHIPMENT" and result["action"]["status"] == "COMPLETED"
    assert result["action"]["resultingOrder"] == {"number": new["number"]}
    assert [x["number"] for x in result["action"]["lines"]] == [1, 3]
    assert result["action"]["comment"] == "Parcel lost in transit."
    last = old["history"][-1]
    assert last["kind"] == "RESHIPMENT" and last["relatedOrder"] == {"number": new["number"]}
    assert "Alex Agent" in last["message"] and "lines 1 and 3" in last["message"]
    assert "Express" in last["message"] and "Leeds" in last["message"]
    assert [(h["kind"], h["relatedOrder"]) for h in new["history"]] == [
        ("ORDER_PLACED", {"number": origin.number})
    ]
    assert await stock_of(db, "UK", a.id) == 1 and await stock_of(db, "UK", b.id) == 1

    async with db.read() as s:
        new_row = (await s.scalars(select(Order).where(Order.number == new["number"]))).one()
    # Search keys follow the new address: the postal-code search finds the reshipment.
    assert new_row.shipping_postal_key == "ls14ap"
    messages = await outbox(db, new_row.id)
    assert [(d, t) for d, t, _ in messages] == [
        ("WAREHOUSE", "reshipment_order"),
        ("EMAIL", "reshipment_created"),
    ]
    assert messages[0][2]["shippingAddress"]["city"] == "Leeds"
    assert messages[0][2]["shippingMethod"] == "Express"

    q = """query($f: OrderFilter) { orders(filter: $f, first: 10) { edges { node { number } } } }"""
    found = await gql.data(q, {"f": {"orderType": "RESHIPMENT", "reference": origin.number}})
    assert [e["node"]["number"] for e in found["orders"]["edges"]] == [new["number"]]
    normal = await gql.data(q, {"f": {"orderType": "NORMAL", "reference": origin.number}})
    assert [e["node"]["number"] for e in normal["orders"]["edges"]] == [origin.number]


async def test_without_overrides_the_address_and_method_are_copied(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.write() as s:
        a, *_ = await style_skus(s)
        await set_stock(s, "DE", a.id, 1)
        await s.commit()
    origin = await order_with(db, [a], store="DE")
    await sign_in(db, gql, "agent")
    result = await reship(gql, await ref(gql, origin.number), [1])
    new, old = result["newOrder"], result["order"]
    assert new["shippingAddress"] == old["shippingAddress"]
    assert new["shippingMethod"] == old["shippingMethod"]
    assert "(" not in old["history"][-1]["message"]
    assert await stock_of(db, "DE", a.id) == 0
    # The last unit is gone: a second reshipment of the line is out of stock.
    again = await reship(gql, await ref(gql, origin.number), [1])
    assert again["__typename"] == "OutOfStock" and again["skuCode"] == a.code


@pytest.mark.parametrize(
    "case",
    [
        "missing_postal_code",
        "blank_name",
        "bad_country",
        "long_city",
        "blank_method",
        "ordered_line",
        "returned_line",
        "out_of_stock",
        "other_store",
        "unknown_line",
        "no_lines",
    ],
)
async def test_rejections_change_nothing(db: Database, gql: GraphQLClient, case: str) -> None:
    async with db.write() as s:
        a, *_ = await style_skus(s)
        await set_stock(s, "UK", a.id, 0 if case == "out_of_stock" else 4)
        await s.commit()
    status = OrderStatus.RELEASED if case == "ordered_line" else OrderStatus.DELIVERED
    statuses = [LineStatus.RETURNED] if case == "returned_line" else None
    store = "US" if case == "other_store" else "UK"
    origin = await order_with(db, [a], status=status, line_statuses=statuses, store=store)
    await sign_in(db, gql, "admin")
    order = await ref(gql, origin.number)
    await sign_in(db, gql, "agent")
    address = dict(ADDRESS)
    extra: dict[str, Any] = {"shippingAddress": address}
    if case == "missing_postal_code":
        address["postalCode"] = " "
    if case == "blank_name":
        address["name"] = ""
    if case == "bad_country":
        address["country"] = "United Kingdom"
    if case == "long_city":
        address["city"] = "x" * 121
    if case == "blank_method":
        extra["shippingMethod"] = "  "
    ids = [order["lines"][0]["id"]]
    if case == "unknown_line":
        ids = [gid("Line", 10**9)]
    if case == "no_lines":
        ids = []
    before = await snapshot(db)
    payload = {"orderId": order["id"], "lineIds": ids, **extra}
    result = (await gql.data(RESHIP, {"input": payload}))["reshipmentCreate"]
    expected = {
        "missing_postal_code": ("ValidationFailed", ["input", "shippingAddress", "postalCode"]),
        "blank_name": ("ValidationFailed", ["input", "shippingAddress", "name"]),
        "bad_country": ("ValidationFailed", ["input", "shippingAddress", "country"]),
        "long_city": ("ValidationFailed", ["input", "shippingAddress", "city"]),
        "blank_method": ("ValidationFailed", ["input", "shippingMethod"]),
        "ordered_line": ("LineNotEligible", ["input", "lineIds", "0"]),
        "returned_line": ("LineNotEligible", ["input", "lineIds", "0"]),
        "out_of_stock": ("OutOfStock", ["input", "lineIds", "0"]),
        "other_store": ("NotFound", ["input", "orderId"]),
        "unknown_line": ("NotFound", ["input", "lineIds", "0"]),
        "no_lines": ("ValidationFailed", ["input", "lineIds"]),
    }[case]
    assert (result["__typename"], result["field"]) == expected, result
    assert await snapshot(db) == before


async def test_missing_permission_is_forbidden(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        a, *_ = await style_skus(s)
        await s.commit()
    origin = await order_with(db, [a])
    await make_user(db, "noreship", [Permission.ORDER_VIEW, Permission.EXCHANGE_CREATE])
    await sign_in(db, gql, "noreship")
    order = await ref(gql, origin.number)
    before = await snapshot(db)
    payload = {"orderId": order["id"], "lineIds": [order["lines"][0]["id"]]}
    body = await gql.execute(RESHIP, {"input": payload})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot(db) == before


async def test_a_line_can_be_reshipped_again_and_counts_on(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.write() as s:
        a, *_ = await style_skus(s)
        await set_stock(s, "UK", a.id, 5)
        await s.commit()
    origin = await order_with(db, [a])
    await sign_in(db, gql, "supervisor")
    first = await reship(gql, await ref(gql, origin.number), [1])
    second = await reship(gql, await ref(gql, origin.number), [1])
    assert (first["newOrder"]["number"], second["newOrder"]["number"]) == (
        f"{origin.number}-R1",
        f"{origin.number}-R2",
    )
    async with db.read() as s:
        actions = list(
            await s.scalars(
                select(PostsalesAction.resulting_order_id)
                .where(PostsalesAction.order_id == origin.id)
                .where(PostsalesAction.kind == ActionKind.RESHIPMENT)
            )
        )
        linked = list(
            await s.scalars(
                select(PostsalesActionLine.line_id)
                .join(PostsalesAction, PostsalesAction.id == PostsalesActionLine.action_id)
                .where(PostsalesAction.order_id == origin.id)
            )
        )
    assert len(actions) == 2 and None not in actions
    [line] = await lines_of(db, origin.id)
    assert linked == [line.id, line.id]
    assert await stock_of(db, "UK", a.id) == 3
