"""Cancellations: selected lines or the whole order while in ORDER_REVIEW, stock back, a void
of each line's remaining net (+ tax) on the ledger, history and outbox; rejections change
nothing; and the races with exchanges and with each other."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from models import Line, Order, PostsalesAction, Refund
from models.enums import (
    ActionKind,
    LineStatus,
    OrderStatus,
    Permission,
    RefundKind,
    RefundStatus,
)
from resolvers import ledger
from tests.action_helpers import (
    CANCEL,
    EXCHANGE,
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


async def cancel(
    gql: GraphQLClient, order: dict[str, Any], numbers: list[int] | None, **extra: Any
) -> Any:
    payload: dict[str, Any] = {"orderId": order["id"], "reason": "CUSTOMER_REQUEST", **extra}
    if numbers is not None:
        payload["lineIds"] = [x["id"] for x in order["lines"] if x["number"] in numbers]
    return (await gql.data(CANCEL, {"input": payload}))["orderCancel"]


async def refunds(db: Database, order_id: int) -> list[Refund]:
    async with db.read() as s:
        return list(
            await s.scalars(select(Refund).where(Refund.order_id == order_id).order_by(Refund.id))
        )


async def test_cancelling_lines(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        a, b, *_ = await style_skus(s)
        await set_stock(s, "UK", a.id, 3)
        await s.commit()
    order = await order_with(db, [a, b, a], status=OrderStatus.ORDER_REVIEW)
    await sign_in(db, gql, "agent")
    before = await ref(gql, order.number)
    result = await cancel(gql, before, [1, 3], comment="Customer ordered twice.")
    assert result["__typename"] == "OrderCancelSuccess", result
    after = result["order"]
    assert after["status"] == "ORDER_REVIEW" and after["version"] == before["version"] + 1
    assert [(x["status"], x["refundableAmount"]["amount"]) for x in after["lines"]] == [
        ("CANCELLED", "0.00"),
        ("ORDERED", "50.00"),
        ("CANCELLED", "0.00"),
    ]
    action = result["action"]
    assert (action["kind"], action["status"]) == ("CANCELLATION", "COMPLETED")
    assert action["amount"] == {"amount": "100.00", "currency": "GBP"}
    assert [x["number"] for x in action["lines"]] == [1, 3]
    assert action["comment"] == "Customer ordered twice."
    last = after["history"][-1]
    assert last["kind"] == "CANCELLATION"
    assert last["message"] == (
        "Lines 1 and 3 cancelled by Alex Agent (Customer request); the customer is notified "
        "by email"
    )
    assert last["actor"] == {"username": "agent", "displayName": "Alex Agent"}
    assert await stock_of(db, "UK", a.id) == 5

    voids = await refunds(db, order.id)
    assert [(r.kind, r.status, r.net, r.tax, r.gross) for r in voids] == [
        (
            RefundKind.VOID,
            RefundStatus.REQUESTED,
            Decimal("50.00"),
            Decimal("10.00"),
            Decimal("60.00"),
        )
    ] * 2
    messages = await outbox(db, order.id)
    assert [(d, t) for d, t, _ in messages] == [
        ("PAYMENT", "void"),
        ("PAYMENT", "void"),
        ("WAREHOUSE", "cancellation"),
        ("EMAIL", "order_cancelled"),
    ]
    assert {m[2]["line"] for m in messages[:2]} == {1, 3}
    assert messages[0][2] | {"line": 0, "refundId": 0} == {
        "refundId": 0,
        "order": order.number,
        "line": 0,
        "net": "50.00",
        "tax": "10.00",
        "gross": "60.00",
        "currency": "GBP",
        "paymentMethod": order.payment_method,
    }
    assert messages[3][2]["to"] == order.customer_email and not messages[3][2]["wholeOrder"]

    # Cancelling what is left cancels the order.
    rest = await cancel(gql, await ref(gql, order.number), [2])
    assert rest["order"]["status"] == "CANCELLED"
    assert [h["kind"] for h in rest["order"]["history"][-2:]] == ["CANCELLATION", "STATUS_CHANGED"]
    assert rest["order"]["history"][-2]["message"].startswith("Order cancelled (line 2) by")


async def test_cancelling_the_whole_order(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        a, b, *_ = await style_skus(s)
        await set_stock(s, "DE", a.id, 0)
        await set_stock(s, "DE", b.id, 0)
        await s.commit()
    order = await order_with(db, [a, b], status=OrderStatus.ORDER_REVIEW, store="DE")
    await sign_in(db, gql, "supervisor")
    result = await cancel(gql, await ref(gql, order.number), None)
    after = result["order"]
    assert after["status"] == "CANCELLED"
    assert {x["status"] for x in after["lines"]} == {"CANCELLED"}
    assert after["history"][-2]["message"] == (
        "Order cancelled (lines 1 and 2) by Sam Supervisor (Customer request); the customer "
        "is notified by email"
    )
    assert after["history"][-1]["message"] == "Status: Order review → Cancelled"
    assert await stock_of(db, "DE", a.id) == 1 and await stock_of(db, "DE", b.id) == 1
    assert len(await refunds(db, order.id)) == 2
    email = (await outbox(db, order.id))[-1]
    assert email[1] == "order_cancelled" and email[2]["wholeOrder"] is True
    # Nothing is left to cancel: the order is no longer in ORDER_REVIEW.
    again = await cancel(gql, await ref(gql, order.number), None)
    assert again["__typename"] == "OrderStatusInvalid" and again["status"] == "CANCELLED"


async def test_the_void_takes_only_what_is_left_on_the_line(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.write() as s:
        a, *_ = await style_skus(s)
        await s.commit()
    order = await order_with(db, [a], status=OrderStatus.ORDER_REVIEW)
    async with db.write() as s:
        line = (await s.scalars(select(Line).where(Line.order_id == order.id))).one()
        await ledger.draw(
            s,
            line,
            Decimal("10.00"),
            currency="GBP",
            kind=RefundKind.APPEASEMENT,
            order_id=order.id,
            action_id=None,
        )
        await s.commit()
    await sign_in(db, gql, "agent")
    result = await cancel(gql, await ref(gql, order.number), None)
    assert result["action"]["amount"]["amount"] == "40.00"
    void = (await refunds(db, order.id))[-1]
    assert (void.kind, void.net, void.tax, void.gross) == (
        RefundKind.VOID,
        Decimal("40.00"),
        Decimal("8.00"),
        Decimal("48.00"),
    )


async def test_cancelling_an_exchange_order_gives_its_unit_back(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.write() as s:
        a, b, *_ = await style_skus(s)
        await set_stock(s, "UK", b.id, 1)
        await s.commit()
    origin = await order_with(db, [a])
    await sign_in(db, gql, "agent")
    o = await ref(gql, origin.number)
    payload = {"orderId": o["id"], "lines": [{"lineId": o["lines"][0]["id"], "skuCode": b.code}]}
    made = (await gql.data(EXCHANGE, {"input": payload}))["exchangeCreate"]
    assert await stock_of(db, "UK", b.id) == 0
    done = await cancel(gql, await ref(gql, made["newOrder"]["number"]), None)
    assert done["order"]["status"] == "CANCELLED"
    assert await stock_of(db, "UK", b.id) == 1
    # The exchange order took no payment: there is nothing to void.
    assert done["action"]["amount"] is None
    async with db.read() as s:
        new_id = await s.scalar(select(Order.id).where(Order.number == made["newOrder"]["number"]))
    assert new_id is not None
    assert await refunds(db, new_id) == []
    assert [t for _, t, _ in await outbox(db, new_id)] == [
        "exchange_order",
        "exchange_created",
        "cancellation",
        "order_cancelled",
    ]


@pytest.mark.parametrize(
    "case",
    [
        "released",
        "delivered",
        "cancelled_line",
        "line_of_another_order",
        "unknown_line",
        "other_store",
        "empty_selection",
        "stale_version",
        "long_comment",
    ],
)
async def test_rejections_change_nothing(db: Database, gql: GraphQLClient, case: str) -> None:
    async with db.write() as s:
        a, *_ = await style_skus(s)
        await s.commit()
    status = {"released": OrderStatus.RELEASED, "delivered": OrderStatus.DELIVERED}.get(
        case, OrderStatus.ORDER_REVIEW
    )
    statuses = [LineStatus.CANCELLED, LineStatus.ORDERED] if case == "cancelled_line" else None
    store = "FR" if case == "other_store" else "UK"
    order = await order_with(db, [a, a], status=status, line_statuses=statuses, store=store)
    another = await order_with(db, [a], status=OrderStatus.ORDER_REVIEW)
    await sign_in(db, gql, "admin")
    o = await ref(gql, order.number)
    await sign_in(db, gql, "agent")
    payload: dict[str, Any] = {
        "orderId": o["id"],
        "lineIds": [o["lines"][0]["id"]],
        "reason": "CUSTOMER_REQUEST",
    }
    if case == "line_of_another_order":
        payload["lineIds"] = [(await ref(gql, another.number))["lines"][0]["id"]]
    if case == "unknown_line":
        payload["lineIds"] = [gid("Line", 10**9)]
    if case == "empty_selection":
        payload["lineIds"] = []
    if case == "stale_version":
        payload["expectedVersion"] = o["version"] + 5
    if case == "long_comment":
        payload["comment"] = "x" * 1001
    before = await snapshot(db)
    result = (await gql.data(CANCEL, {"input": payload}))["orderCancel"]
    expected = {
        "released": ("OrderStatusInvalid", ["input", "orderId"]),
        "delivered": ("OrderStatusInvalid", ["input", "orderId"]),
        "cancelled_line": ("LineNotEligible", ["input", "lineIds", "0"]),
        "line_of_another_order": ("NotFound", ["input", "lineIds", "0"]),
        "unknown_line": ("NotFound", ["input", "lineIds", "0"]),
        "other_store": ("NotFound", ["input", "orderId"]),
        "empty_selection": ("ValidationFailed", ["input", "lineIds"]),
        "stale_version": ("VersionConflict", ["input", "expectedVersion"]),
        "long_comment": ("CommentInvalid", ["input", "comment"]),
    }[case]
    assert (result["__typename"], result["field"]) == expected, result
    if case in ("released", "delivered"):
        assert result["status"] == status.value
    if case == "cancelled_line":
        assert result["status"] == "CANCELLED"
    assert await snapshot(db) == before


async def test_missing_permission_is_forbidden(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        a, *_ = await style_skus(s)
        await s.commit()
    order = await order_with(db, [a], status=OrderStatus.ORDER_REVIEW)
    await make_user(db, "nocancel", [Permission.ORDER_VIEW, Permission.RESHIPMENT_CREATE])
    await sign_in(db, gql, "nocancel")
    o = await ref(gql, order.number)
    before = await snapshot(db)
    body = await gql.execute(CANCEL, {"input": {"orderId": o["id"]}})
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "permission": "ORDER_CANCEL"}
    assert await snapshot(db) == before


@pytest.mark.parametrize("status", [OrderStatus.ORDER_REVIEW, OrderStatus.DELIVERED])
async def test_cancel_racing_an_exchange_of_the_same_line(
    db: Database, gql: GraphQLClient, status: OrderStatus
) -> None:
    """Both mutations aim at line 1 at the same moment. Their line rules are disjoint
    (cancel: ORDERED lines of an ORDER_REVIEW order; exchange: SHIPPED or DELIVERED lines),
    and both check them under the order's lock, after the other's commit: so exactly one
    wins whatever the interleaving, and the line ends CANCELLED or exchanged, never both,
    with the stock of both SKUs accounted for."""
    async with db.write() as s:
        a, b, *_ = await style_skus(s)
        await set_stock(s, "UK", a.id, 4)
        await set_stock(s, "UK", b.id, 4)
        await s.commit()
    order = await order_with(db, [a, a], status=status)
    await sign_in(db, gql, "supervisor")
    o = await ref(gql, order.number)
    line_id = o["lines"][0]["id"]
    swap = {"orderId": o["id"], "lines": [{"lineId": line_id, "skuCode": b.code}]}
    cancelled, exchanged = await asyncio.gather(
        cancel(gql, o, [1]),
        gql.data(EXCHANGE, {"input": swap}),
    )
    exchanged = exchanged["exchangeCreate"]
    wins = [
        cancelled["__typename"] == "OrderCancelSuccess",
        exchanged["__typename"] == "ExchangeCreateSuccess",
    ]
    assert wins == ([True, False] if status is OrderStatus.ORDER_REVIEW else [False, True])
    line = (await lines_of(db, order.id))[0]
    assert not (line.status is LineStatus.CANCELLED and line.exchanged)
    assert (line.status is LineStatus.CANCELLED) == wins[0]
    assert line.exchanged == wins[1]
    assert await stock_of(db, "UK", a.id) == 4 + wins[0]
    assert await stock_of(db, "UK", b.id) == 4 - wins[1]
    assert (await ref(gql, order.number))["version"] == o["version"] + 1


async def test_cancel_racing_an_exchange_for_the_unit_it_gives_back(
    db: Database, gql: GraphQLClient
) -> None:
    """Where timing does matter: cancelling an order gives its unit of SKU b back while an
    exchange elsewhere wants b, which is sold out. The exchange wins the unit only if the
    cancellation committed first; either way stock ends at 1 − (exchange won), never < 0."""
    async with db.write() as s:
        a, b, *_ = await style_skus(s)
        await s.commit()
    outcomes = set()
    await sign_in(db, gql, "agent")
    for _ in range(4):
        async with db.write() as s:
            await set_stock(s, "UK", b.id, 0)
            await s.commit()
        holder = await order_with(db, [b], status=OrderStatus.ORDER_REVIEW)
        wanting = await order_with(db, [a])
        h, w = await ref(gql, holder.number), await ref(gql, wanting.number)
        swap = {"orderId": w["id"], "lines": [{"lineId": w["lines"][0]["id"], "skuCode": b.code}]}
        cancelled, exchanged = await asyncio.gather(
            cancel(gql, h, None), gql.data(EXCHANGE, {"input": swap})
        )
        assert cancelled["__typename"] == "OrderCancelSuccess"
        kind = exchanged["exchangeCreate"]["__typename"]
        assert kind in ("ExchangeCreateSuccess", "OutOfStock")
        won = kind == "ExchangeCreateSuccess"
        assert await stock_of(db, "UK", b.id) == 1 - won
        outcomes.add(kind)
    assert outcomes  # which interleavings occur depends on the scheduler; each is checked


async def test_two_cancels_of_one_line_void_it_once(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        a, *_ = await style_skus(s)
        await set_stock(s, "UK", a.id, 2)
        await s.commit()
    order = await order_with(db, [a, a], status=OrderStatus.ORDER_REVIEW)
    await sign_in(db, gql, "agent")
    o = await ref(gql, order.number)
    results = await asyncio.gather(*(cancel(gql, o, [1]) for _ in range(5)))
    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["LineNotEligible"] * 4 + ["OrderCancelSuccess"]
    assert len(await refunds(db, order.id)) == 1
    assert await stock_of(db, "UK", a.id) == 3
    async with db.read() as s:
        n = len(
            list(
                await s.scalars(
                    select(PostsalesAction.id).where(
                        PostsalesAction.order_id == order.id,
                        PostsalesAction.kind == ActionKind.CANCELLATION,
                    )
                )
            )
        )
    assert n == 1
