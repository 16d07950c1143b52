"""Refunds of the shipping charge: order-level appeasements on the order's shipping ledger, never
above the shipping paid, whatever the concurrency; cancelled, failed and retried like any."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.db import Database
from models import Order, OutboxMessage, Refund
from models.enums import OrderStatus, RefundStatus
from tests.action_helpers import sign_in, snapshot
from tests.conftest import GraphQLClient
from tests.factories import make_order

SHIPPING = """mutation($i: ShippingAppeasementCreateInput!) {
  shippingAppeasementCreate(input: $i) { __typename
    ... on ShippingAppeasementCreateSuccess { dryRun
      refund { gross { amount } remainingRefundable { amount } }
      action { id kind status amount { amount } lines { id }
               refunds { line { id } tax { amount } } }
      order { shippingRefundableAmount { amount } } }
    ... on UserError { code message field }
    ... on ShippingNotRefundable { maximumRefundable { amount currency } } } }"""
CANCEL = """mutation($i: AppeasementCancelInput!) { appeasementCancel(input: $i) { __typename
  ... on AppeasementCancelSuccess { order { shippingRefundableAmount { amount } } } } }"""
VIEW = """query($n: String!) { order(number: $n) { id shipping { amount }
  shippingRefundableAmount { amount }
  availableActions { kind allowed reason } } }"""


async def order_paying_shipping(db: Database, **fields: Any) -> Order:
    """A delivered UK order that paid 4.95 shipping (the factory's charge)."""
    async with db.write() as s:
        order = await make_order(s, status=OrderStatus.DELIVERED, lines=1, **fields)
        await s.commit()
    return order


def shipping_input(order_id: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {"i": {"orderId": order_id, "amount": amount, "reason": "LATE_DELIVERY", **extra}}


async def test_part_of_the_shipping_charge_is_refunded_without_a_line(
    db: Database, gql: GraphQLClient
) -> None:
    order = await order_paying_shipping(db)
    await sign_in(db, gql, "agent")
    seen = (await gql.data(VIEW, {"n": order.number}))["order"]
    assert seen["shippingRefundableAmount"]["amount"] == seen["shipping"]["amount"] == "4.95"
    actions = {a["kind"]: a for a in seen["availableActions"]}
    assert actions["SHIPPING_APPEASEMENT"]["allowed"]

    preview = (await gql.data(SHIPPING, shipping_input(seen["id"], "3.00", dryRun=True)))[
        "shippingAppeasementCreate"
    ]
    assert preview["dryRun"] and preview["action"] is None
    assert preview["refund"]["remainingRefundable"]["amount"] == "1.95"
    done = (await gql.data(SHIPPING, shipping_input(seen["id"], "3.00")))[
        "shippingAppeasementCreate"
    ]
    assert done["__typename"] == "ShippingAppeasementCreateSuccess", done
    assert done["order"]["shippingRefundableAmount"]["amount"] == "1.95"
    action = done["action"]
    assert (action["kind"], action["status"], action["amount"]) == (
        "APPEASEMENT",
        "REQUESTED",
        {"amount": "3.00"},
    )
    assert action["lines"] == [] and action["refunds"] == [
        {"line": None, "tax": {"amount": "0.00"}}
    ]
    async with db.read() as s:
        note = (
            await s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.order_id == order.id, OutboxMessage.topic == "credit_note"
                )
            )
        ).one()
    assert note.payload["scope"] == "SHIPPING" and note.payload["lineNumber"] is None
    assert note.payload["gross"] == "3.00"

    too_much = (await gql.data(SHIPPING, shipping_input(seen["id"], "2.00")))[
        "shippingAppeasementCreate"
    ]
    assert too_much["__typename"] == "ShippingNotRefundable"
    assert too_much["maximumRefundable"] == {"amount": "1.95", "currency": "GBP"}
    assert too_much["field"] == ["input", "amount"]

    await sign_in(db, gql, "supervisor")  # agents may not cancel appeasements
    cancelled = (await gql.data(CANCEL, {"i": {"actionId": action["id"]}}))["appeasementCancel"]
    assert cancelled["order"]["shippingRefundableAmount"]["amount"] == "4.95"


async def test_free_shipping_and_bad_amounts_are_refused_and_change_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    free = await order_paying_shipping(db, shipping_method="Click & Collect")
    async with db.write() as s:
        row = await s.get(Order, free.id)
        assert row is not None
        row.grand_total -= row.shipping_amount
        row.shipping_amount = row.shipping_refundable = Decimal(0)
        await s.commit()
    paid = await order_paying_shipping(db)
    await sign_in(db, gql, "agent")
    free_id = (await gql.data(VIEW, {"n": free.number}))["order"]
    actions = {a["kind"]: a for a in free_id["availableActions"]}
    assert actions["SHIPPING_APPEASEMENT"]["reason"] == "NOTHING_REFUNDABLE"
    paid_id = (await gql.data(VIEW, {"n": paid.number}))["order"]["id"]
    before = await snapshot(db)
    cases = [
        (free_id["id"], "1.00", {}, "SHIPPING_NOT_REFUNDABLE"),
        (paid_id, "0", {}, "AMOUNT_NOT_POSITIVE"),
        (paid_id, "1.001", {}, "AMOUNT_PRECISION_INVALID"),
        (paid_id, "1.00", {"reason": "NOPE"}, "REASON_UNKNOWN"),
        (paid_id, "1.00", {"comment": "x" * 1001}, "COMMENT_INVALID"),
        ("T3JkZXI6OTk5OTk5", "1.00", {}, "NOT_FOUND"),
    ]
    for order_id, amount, extra, code in cases:
        result = (await gql.data(SHIPPING, shipping_input(order_id, amount, **extra)))[
            "shippingAppeasementCreate"
        ]
        assert result["code"] == code, (amount, extra, result)
    assert await snapshot(db) == before


async def test_concurrent_shipping_refunds_never_exceed_the_shipping_paid(
    db: Database, gql: GraphQLClient
) -> None:
    order = await order_paying_shipping(db)
    await sign_in(db, gql, "agent")
    order_id = (await gql.data(VIEW, {"n": order.number}))["order"]["id"]
    results = await asyncio.gather(
        *(gql.data(SHIPPING, shipping_input(order_id, "3.00")) for _ in range(3))
    )
    kinds = sorted(r["shippingAppeasementCreate"]["__typename"] for r in results)
    assert kinds == [
        "ShippingAppeasementCreateSuccess",
        "ShippingNotRefundable",
        "ShippingNotRefundable",
    ]
    async with db.read() as s:
        left = await s.scalar(select(Order.shipping_refundable).where(Order.id == order.id))
        drawn = list(await s.scalars(select(Refund.net).where(Refund.order_id == order.id)))
    assert left == Decimal("1.95") and drawn == [Decimal("3.00")]


async def test_a_failed_shipping_refund_goes_back_to_the_shipping_ledger_and_is_retried(
    db: Database, gql: GraphQLClient
) -> None:
    from tests.test_integrations import integration_token

    order = await order_paying_shipping(db)
    await sign_in(db, gql, "agent")
    order_id = (await gql.data(VIEW, {"n": order.number}))["order"]["id"]
    await gql.data(SHIPPING, shipping_input(order_id, "4.95"))
    async with db.read() as s:
        refund = (await s.scalars(select(Refund).where(Refund.order_id == order.id))).one()
    token = await integration_token(db)
    failed = await gql.execute(
        """mutation($i: PaymentRefundConfirmedInput!) { paymentRefundConfirmed(input: $i) {
          __typename } }""",
        {"i": {"eventId": "ship-f", "refundId": refund.id, "outcome": "FAILED", "reason": "x"}},
        token=token,
    )
    assert failed["data"]["paymentRefundConfirmed"]["__typename"] == "PaymentRefundConfirmedSuccess"
    async with db.read() as s:
        left = await s.scalar(select(Order.shipping_refundable).where(Order.id == order.id))
    assert left == Decimal("4.95")
    await sign_in(db, gql, "supervisor")
    retried = await gql.data(
        """mutation($i: RefundRetryInput!) { refundRetry(input: $i) { __typename
          ... on RefundRetrySuccess { refund { status line { id } } } } }""",
        {"i": {"refundId": refund.id}},
    )
    assert retried["refundRetry"]["refund"] == {"status": "REQUESTED", "line": None}
    async with db.read() as s:
        left = await s.scalar(select(Order.shipping_refundable).where(Order.id == order.id))
        statuses = list(await s.scalars(select(Refund.status).where(Refund.order_id == order.id)))
    assert left == Decimal(0)
    assert sorted(statuses) == sorted([RefundStatus.FAILED, RefundStatus.REQUESTED])
