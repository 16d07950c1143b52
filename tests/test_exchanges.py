"""Exchanges: the E order, the no-refund return and its warning, stock reserved atomically,
numbering per origin order, and every rejection leaving the database as it was."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from models import Line, Order, PostsalesAction, PostsalesActionLine, Sku
from models.enums import ActionKind, ActionStatus, LineStatus, OrderStatus, OrderType, Permission
from tests.action_helpers import (
    DETAIL,
    EXCHANGE,
    gid,
    lines_of,
    make_user,
    order_with,
    other_style_sku,
    outbox,
    ref,
    set_stock,
    sign_in,
    snapshot,
    stock_of,
    style_skus,
)
from tests.conftest import GraphQLClient

CANDIDATES = """query($id: ID!) { exchangeCandidates(lineId: $id) {
  code name styleCode attributes { name value } imageUrl available } }"""


async def skus(db: Database) -> list[Sku]:
    async with db.read() as s:
        return (await style_skus(s, minimum=4))[:4]


async def exchange(
    gql: GraphQLClient, order: dict[str, Any], pairs: list[tuple[int, str]], **extra: Any
) -> dict[str, Any]:
    """exchangeCreate for (line number, SKU code) pairs of ``order`` (from ``ref``)."""
    by_number = {line["number"]: line["id"] for line in order["lines"]}
    lines = [{"lineId": by_number[n], "skuCode": code} for n, code in pairs]
    result: dict[str, Any] = (
        await gql.data(EXCHANGE, {"input": {"orderId": order["id"], "lines": lines, **extra}})
    )["exchangeCreate"]
    return result


async def test_exchange_creates_the_e_order_and_a_no_refund_return(
    db: Database, gql: GraphQLClient
) -> None:
    a, b, c, _ = await skus(db)
    async with db.write() as s:
        await set_stock(s, "UK", c.id, 5)
        await s.commit()
    origin = await order_with(db, [a, b])
    await sign_in(db, gql, "agent")
    before = await ref(gql, origin.number)
    result = await exchange(gql, before, [(1, c.code)], comment="Customer wants another size.")
    assert result["__typename"] == "ExchangeCreateSuccess", result

    new = result["newOrder"]
    assert new["number"] == f"{origin.number}-E1"
    assert (new["orderType"], new["status"]) == ("EXCHANGE", "ORDER_REVIEW")
    assert new["amountDue"]["amount"] == "0.00"
    assert new["paymentMethod"] == "Exchange – no payment"
    assert new["originOrder"] == {"number": origin.number}
    assert new["store"] == {"code": "UK"}
    old = result["order"]
    for same in ("customer", "shippingAddress", "billingAddress", "shippingMethod"):
        assert new[same] == old[same], same
    assert [(x["sku"], x["status"]) for x in new["lines"]] == [(c.code, "ORDERED")]
    assert new["lines"][0]["netAmount"] == old["lines"][0]["netAmount"]
    assert new["lines"][0]["total"] == old["lines"][0]["total"]
    assert new["grandTotal"] == old["lines"][0]["total"] | {"currency": "GBP"}
    assert [(h["kind"], h["relatedOrder"]) for h in new["history"]] == [
        ("ORDER_PLACED", {"number": origin.number})
    ]
    assert new["history"][0]["actor"]["username"] == "agent"

    assert old["version"] == before["version"] + 1
    assert [x["status"] for x in old["lines"]] == ["RETURN_REQUESTED", "DELIVERED"]
    assert old["derivedOrders"] == [{"number": new["number"], "orderType": "EXCHANGE"}]
    [warning] = old["warnings"]
    assert warning["code"] == "RETURN_PENDING" and warning["lineId"] == old["lines"][0]["id"]
    kinds = [(h["kind"], h["relatedOrder"]) for h in old["history"][-2:]]
    assert kinds == [("EXCHANGE", {"number": new["number"]}), ("RETURN", {"number": new["number"]})]
    assert "Alex Agent" in old["history"][-2]["message"]
    assert f"{a.code} → {c.code}" in old["history"][-2]["message"]

    action = result["action"]
    assert (action["kind"], action["status"]) == ("EXCHANGE", "COMPLETED")
    assert action["resultingOrder"] == {"number": new["number"]}
    assert action["createdBy"] == {"username": "agent"}
    assert action["comment"] == "Customer wants another size."
    assert [x["number"] for x in action["lines"]] == [1]

    async with db.read() as s:
        ret = (
            await s.scalars(
                select(PostsalesAction).where(
                    PostsalesAction.order_id == origin.id,
                    PostsalesAction.kind == ActionKind.RETURN,
                )
            )
        ).one()
        ret_lines = list(
            await s.scalars(
                select(PostsalesActionLine.line_id).where(PostsalesActionLine.action_id == ret.id)
            )
        )
        swap = await s.scalar(
            select(PostsalesActionLine.new_sku_id)
            .join(PostsalesAction, PostsalesAction.id == PostsalesActionLine.action_id)
            .where(PostsalesAction.kind == ActionKind.EXCHANGE)
            .where(PostsalesAction.order_id == origin.id)
        )
    assert (ret.status, ret.no_refund, ret.amount) == (ActionStatus.REQUESTED, True, None)
    assert swap == c.id
    line1 = (await lines_of(db, origin.id))[0]
    assert ret_lines == [line1.id]
    assert line1.exchanged and line1.status_before_return is LineStatus.DELIVERED
    assert await stock_of(db, "UK", c.id) == 4

    async with db.read() as s:
        new_row = (await s.scalars(select(Order).where(Order.number == new["number"]))).one()
    messages = await outbox(db, new_row.id)
    assert [(d, t) for d, t, _ in messages] == [
        ("WAREHOUSE", "exchange_order"),
        ("EMAIL", "exchange_created"),
    ]
    warehouse = messages[0][2]
    assert warehouse["lines"] == [{"number": 1, "sku": c.code, "productName": c.name}]
    assert warehouse["shippingAddress"]["postal_code"] == "EC1A 1BB"
    assert messages[1][2]["to"] == new_row.customer_email
    [(dest, topic, expected)] = await outbox(db, origin.id)
    assert (dest, topic) == ("WAREHOUSE", "return_expected")
    assert expected["noRefund"] is True and expected["exchangeOrder"] == new["number"]
    assert expected["lines"] == [{"number": 1, "sku": a.code, "reason": None}]
    assert new_row.number_seq == origin.number_seq
    assert new_row.email_key == origin.email_key and new_row.name_key == origin.name_key

    # The queue's orderType filter and the number search find it.
    q = """query($f: OrderFilter) { orders(filter: $f, first: 10) { edges { node { number } } } }"""
    found = await gql.data(q, {"f": {"orderType": "EXCHANGE", "reference": origin.number}})
    assert [e["node"]["number"] for e in found["orders"]["edges"]] == [new["number"]]


async def test_numbering_is_per_origin_order(db: Database, gql: GraphQLClient) -> None:
    a, b, c, d = await skus(db)
    async with db.write() as s:
        for sku in (a, b, c, d):
            await set_stock(s, "UK", sku.id, 20)
        await s.commit()
    first = await order_with(db, [a, a, a])
    second = await order_with(db, [b])
    await sign_in(db, gql, "agent")
    one = await ref(gql, first.number)
    assert (await exchange(gql, one, [(1, c.code)]))["newOrder"]["number"] == (f"{first.number}-E1")
    e2 = await exchange(gql, await ref(gql, first.number), [(2, d.code)])
    assert e2["newOrder"]["number"] == f"{first.number}-E2"
    reship = """mutation($o: ID!, $l: [ID!]!) { reshipmentCreate(input: {orderId: $o, lineIds: $l})
      { ... on ReshipmentCreateSuccess { newOrder { number } } } }"""
    r1 = await gql.data(reship, {"o": one["id"], "l": [one["lines"][2]["id"]]})
    assert r1["reshipmentCreate"]["newOrder"]["number"] == f"{first.number}-R1"
    other = await exchange(gql, await ref(gql, second.number), [(1, c.code)])
    assert other["newOrder"]["number"] == f"{second.number}-E1"
    # Once delivered, an exchange order can be exchanged in turn: numbered from itself.
    async with db.write() as s:
        e1 = (await s.scalars(select(Order).where(Order.number == f"{first.number}-E1"))).one()
        e1.status = OrderStatus.DELIVERED
        for line in await s.scalars(select(Line).where(Line.order_id == e1.id)):
            line.status = LineStatus.DELIVERED
        await s.commit()
    again = await exchange(gql, await ref(gql, f"{first.number}-E1"), [(1, d.code)])
    assert again["newOrder"]["number"] == f"{first.number}-E1-E1"
    assert again["newOrder"]["originOrder"] == {"number": f"{first.number}-E1"}
    history = (await gql.data(DETAIL, {"n": first.number}))["order"]["history"]
    linked = [h["relatedOrder"]["number"] for h in history if h["relatedOrder"]]
    assert linked == [
        f"{first.number}-E1",
        f"{first.number}-E1",
        f"{first.number}-E2",
        f"{first.number}-E2",
        f"{first.number}-R1",
    ]


async def test_exchanging_two_lines_makes_one_order_with_two_lines(
    db: Database, gql: GraphQLClient
) -> None:
    a, b, c, d = await skus(db)
    async with db.write() as s:
        await set_stock(s, "DE", c.id, 3)
        await set_stock(s, "DE", d.id, 3)
        await s.commit()
    origin = await order_with(db, [a, b], store="DE")
    await sign_in(db, gql, "agent")
    result = await exchange(gql, await ref(gql, origin.number), [(1, c.code), (2, d.code)])
    assert [x["sku"] for x in result["newOrder"]["lines"]] == [c.code, d.code]
    assert result["newOrder"]["amountDue"] == {"amount": "0.00", "currency": "EUR"}
    assert {w["lineId"] for w in result["order"]["warnings"]} == {
        x["id"] for x in result["order"]["lines"]
    }
    assert await stock_of(db, "DE", c.id) == 2 and await stock_of(db, "DE", d.id) == 2


async def test_exchange_candidates(db: Database, gql: GraphQLClient) -> None:
    a, _, c, d = await skus(db)
    async with db.write() as s:
        siblings = list(await s.scalars(select(Sku).where(Sku.style_id == a.style_id)))
        for sku in siblings:
            await set_stock(s, "UK", sku.id, 0)
        await set_stock(s, "UK", c.id, 7)
        await set_stock(s, "UK", a.id, 9)  # the line's own SKU is never a candidate
        await set_stock(s, "DE", d.id, 5)  # stock of another store does not count
        await s.commit()
    origin = await order_with(db, [a])
    await sign_in(db, gql, "agent")
    line_id = (await ref(gql, origin.number))["lines"][0]["id"]
    found = (await gql.data(CANDIDATES, {"id": line_id}))["exchangeCandidates"]
    assert [(x["code"], x["available"]) for x in found] == [(c.code, 7)]
    assert {x["name"] for x in found[0]["attributes"]} == {"colour", "size"}
    assert found[0]["styleCode"].startswith("ST")
    async with db.write() as s:
        await set_stock(s, "UK", c.id, 0)
        await s.commit()
    assert (await gql.data(CANDIDATES, {"id": line_id}))["exchangeCandidates"] == []


async def test_exchange_candidates_of_unknown_or_hidden_lines_are_not_found(
    db: Database, gql: GraphQLClient
) -> None:
    a, *_ = await skus(db)
    us_order = await order_with(db, [a], store="US")
    [line] = await lines_of(db, us_order.id)
    await sign_in(db, gql, "agent")
    for line_id in (gid("Line", line.id), gid("Line", 10**9), "garbage", gid("Order", 1)):
        body = await gql.execute(CANDIDATES, {"id": line_id})
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["reason"] == "NOT_FOUND", line_id


@pytest.mark.parametrize(
    "case",
    [
        "other_style",
        "same_sku",
        "out_of_stock",
        "unknown_sku",
        "ordered_line",
        "exchanged_before",
        "in_open_return",
        "returned",
        "cancelled",
        "line_of_another_order",
        "unknown_order",
        "other_store",
        "no_lines",
        "twice_the_same_line",
        "stale_version",
    ],
)
async def test_rejections_change_nothing(db: Database, gql: GraphQLClient, case: str) -> None:
    a, b, c, _ = await skus(db)
    async with db.write() as s:
        wrong = await other_style_sku(s, a)
        await set_stock(s, "UK", c.id, 3)
        await set_stock(s, "UK", b.id, 0)
        await set_stock(s, "UK", wrong.id, 3)
        await s.commit()
    statuses = {
        "ordered_line": (OrderStatus.RELEASED, None),
        "in_open_return": (OrderStatus.DELIVERED, [LineStatus.RETURN_REQUESTED]),
        "returned": (OrderStatus.DELIVERED, [LineStatus.RETURNED]),
        "cancelled": (OrderStatus.DELIVERED, [LineStatus.CANCELLED]),
    }
    status, line_statuses = statuses.get(case, (OrderStatus.DELIVERED, None))
    store = "US" if case == "other_store" else "UK"
    origin = await order_with(db, [a], status=status, line_statuses=line_statuses, store=store)
    if case == "exchanged_before":
        async with db.write() as s:
            line = (await s.scalars(select(Line).where(Line.order_id == origin.id))).one()
            line.exchanged = True
            await s.commit()
    another = await order_with(db, [a])
    await sign_in(db, gql, "admin" if case == "other_store" else "agent")
    order = await ref(gql, origin.number)
    await sign_in(db, gql, "agent")
    line_id = order["lines"][0]["id"]
    code = {"other_style": wrong.code, "same_sku": a.code, "out_of_stock": b.code}.get(case, c.code)
    if case == "unknown_sku":
        code = "NO-SUCH-SKU"
    if case == "line_of_another_order":
        line_id = (await ref(gql, another.number))["lines"][0]["id"]
    lines = [{"lineId": line_id, "skuCode": code}]
    if case == "no_lines":
        lines = []
    if case == "twice_the_same_line":
        lines = lines * 2
    payload: dict[str, Any] = {"orderId": order["id"], "lines": lines}
    if case == "unknown_order":
        payload["orderId"] = gid("Order", 10**9)
    if case == "stale_version":
        payload["expectedVersion"] = order["version"] - 1
    before = await snapshot(db)
    result = (await gql.data(EXCHANGE, {"input": payload}))["exchangeCreate"]
    expected = {
        "other_style": ("SkuNotEligible", ["input", "lines", "0", "skuCode"]),
        "same_sku": ("SkuNotEligible", ["input", "lines", "0", "skuCode"]),
        "out_of_stock": ("OutOfStock", ["input", "lines", "0", "skuCode"]),
        "unknown_sku": ("NotFound", ["input", "lines", "0", "skuCode"]),
        "ordered_line": ("LineNotEligible", ["input", "lines", "0", "lineId"]),
        "exchanged_before": ("LineNotEligible", ["input", "lines", "0", "lineId"]),
        "in_open_return": ("LineNotEligible", ["input", "lines", "0", "lineId"]),
        "returned": ("LineNotEligible", ["input", "lines", "0", "lineId"]),
        "cancelled": ("LineNotEligible", ["input", "lines", "0", "lineId"]),
        "line_of_another_order": ("NotFound", ["input", "lines", "0", "lineId"]),
        "unknown_order": ("NotFound", ["input", "orderId"]),
        "other_store": ("NotFound", ["input", "orderId"]),
        "no_lines": ("ValidationFailed", ["input", "lines"]),
        "twice_the_same_line": ("ValidationFailed", ["input", "lines"]),
        "stale_version": ("VersionConflict", ["input", "expectedVersion"]),
    }[case]
    assert (result["__typename"], result["field"]) == expected, result
    assert result["code"] and result["message"]
    if case == "out_of_stock":
        assert (result["skuCode"], result["lineId"]) == (b.code, line_id)
    if case in ("other_style", "same_sku"):
        assert (result["skuCode"], result["lineId"]) == (code, line_id)
    if expected[0] == "LineNotEligible":
        assert result["lineId"] == line_id and result["status"] == order["lines"][0]["status"]
    assert await snapshot(db) == before


async def test_missing_permission_is_forbidden_and_changes_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    a, _, c, _ = await skus(db)
    origin = await order_with(db, [a])
    await make_user(db, "viewonly", [Permission.ORDER_VIEW, Permission.COMMENT_ADD])
    await sign_in(db, gql, "viewonly")
    order = await ref(gql, origin.number)
    before = await snapshot(db)
    payload = {
        "orderId": order["id"],
        "lines": [{"lineId": order["lines"][0]["id"], "skuCode": c.code}],
    }
    body = await gql.execute(EXCHANGE, {"input": payload})
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "permission": "EXCHANGE_CREATE"}
    assert await snapshot(db) == before


async def test_idempotent_replay_creates_one_order(db: Database, gql: GraphQLClient) -> None:
    a, _, c, _ = await skus(db)
    async with db.write() as s:
        await set_stock(s, "UK", c.id, 5)
        await s.commit()
    origin = await order_with(db, [a])
    await sign_in(db, gql, "agent")
    order = await ref(gql, origin.number)
    first = await exchange(gql, order, [(1, c.code)], idempotencyKey="ex-1")
    state = await snapshot(db)
    again = await exchange(gql, order, [(1, c.code)], idempotencyKey="ex-1")
    assert again["newOrder"]["number"] == first["newOrder"]["number"] == f"{origin.number}-E1"
    assert await snapshot(db) == state
    other = await exchange(gql, order, [(1, a.code)], idempotencyKey="ex-1")
    assert other["__typename"] == "IdempotencyKeyReused"
    assert await stock_of(db, "UK", c.id) == 4


async def test_ten_concurrent_exchanges_for_the_last_unit_make_one_order(
    db: Database, gql: GraphQLClient
) -> None:
    a, b, *_ = await skus(db)
    async with db.write() as s:
        await set_stock(s, "UK", b.id, 1)
        await s.commit()
    origins = [await order_with(db, [a]) for _ in range(10)]
    await sign_in(db, gql, "agent")
    refs = [await ref(gql, o.number) for o in origins]
    async with db.read() as s:
        exchanges_before = len(
            list(await s.scalars(select(Order.id).where(Order.order_type == OrderType.EXCHANGE)))
        )
    results = await asyncio.gather(*(exchange(gql, r, [(1, b.code)]) for r in refs))
    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["ExchangeCreateSuccess"] + ["OutOfStock"] * 9, kinds
    assert await stock_of(db, "UK", b.id) == 0
    async with db.read() as s:
        exchanges = list(
            await s.scalars(select(Order).where(Order.order_type == OrderType.EXCHANGE))
        )
    assert len(exchanges) == exchanges_before + 1
    winner = next(r for r in results if r["__typename"] == "ExchangeCreateSuccess")
    for origin, result in zip(origins, results, strict=True):
        [line] = await lines_of(db, origin.id)
        won = result is winner
        assert line.exchanged is won
        assert line.status is (LineStatus.RETURN_REQUESTED if won else LineStatus.DELIVERED)
