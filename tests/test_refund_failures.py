"""Refunds the payment system could not release: the appeasement shows FAILED (it used to stay
REQUESTED), the order warns, and a supervisor sends the refund again (or cancels the
appeasement); every refund is visible on the order, its line and its action."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.db import Database
from models import Line, OutboxMessage, Refund
from models.enums import OrderStatus, RefundStatus
from tests.action_helpers import sign_in, snapshot
from tests.conftest import GraphQLClient
from tests.factories import make_order
from tests.test_integrations import integration_token

APPEASE = """mutation($i: AppeasementCreateInput!) { appeasementCreate(input: $i) { __typename
  ... on AppeasementCreateSuccess { action { id } } ... on UserError { code message } } }"""
CONFIRM = """mutation($i: PaymentRefundConfirmedInput!) { paymentRefundConfirmed(input: $i) {
  __typename ... on UserError { code message } } }"""
RETRY = """mutation($i: RefundRetryInput!) { refundRetry(input: $i) { __typename
  ... on RefundRetrySuccess { refund { id kind status retryOf net { amount } }
    action { status } order { lines { refundableAmount { amount } } } }
  ... on UserError { code message field }
  ... on IllegalTransition { status }
  ... on AmountExceedsRefundable { maximumRefundable { amount } } } }"""
CANCEL = """mutation($i: AppeasementCancelInput!) { appeasementCancel(input: $i) { __typename
  ... on AppeasementCancelSuccess { action { status } } ... on UserError { code message } } }"""
VIEW = """query($n: String!) { order(number: $n) { id
  lines { number refundableAmount { amount } refunds { id status } }
  refunds { id kind status failureReason retryOf line { number } gross { amount } }
  postsalesActions { id kind status refunds { id status } }
  warnings { code message actionId }
  availableActions { kind allowed reason refundIds actionIds }
  history(last: 3) { kind message actor { kind } details { failureReason refund { status } } }
} }"""


async def appeased(db: Database, gql: GraphQLClient, amount: str = "10.00") -> dict[str, Any]:
    """A delivered UK order with an appeasement of ``amount`` on line 1 (by the agent)."""
    async with db.write() as s:
        order = await make_order(s, status=OrderStatus.DELIVERED, lines=1)
        await s.commit()
    await sign_in(db, gql, "agent")
    seen = (await gql.data(VIEW, {"n": order.number}))["order"]
    line_id = (await gql.data(
        'query($n: String!) { order(number: $n) { lines { id } } }', {"n": order.number}
    ))["order"]["lines"][0]["id"]  # fmt: skip
    made = await gql.data(
        APPEASE, {"i": {"lineId": line_id, "amount": amount, "reason": "GOODWILL"}}
    )
    assert made["appeasementCreate"]["__typename"] == "AppeasementCreateSuccess", made
    return {"number": order.number, "id": seen["id"], "order_id": order.id}


async def fail_refund(db: Database, gql: GraphQLClient, order_id: int, event: str) -> int:
    async with db.read() as s:
        refund_id = await s.scalar(select(func.max(Refund.id)).where(Refund.order_id == order_id))
    assert refund_id is not None
    token = await integration_token(db)
    body = await gql.execute(
        CONFIRM,
        {
            "i": {
                "eventId": event,
                "refundId": refund_id,
                "outcome": "FAILED",
                "reason": "card expired",
            }
        },
        token=token,
    )
    assert body["data"]["paymentRefundConfirmed"]["__typename"] == "PaymentRefundConfirmedSuccess"
    return int(refund_id)


async def test_a_failed_refund_makes_its_appeasement_failed_visible_and_warned(
    db: Database, gql: GraphQLClient
) -> None:
    order = await appeased(db, gql)
    refund_id = await fail_refund(db, gql, order["order_id"], "pay-fail-1")
    await sign_in(db, gql, "agent")
    seen = (await gql.data(VIEW, {"n": order["number"]}))["order"]
    [appeasement] = seen["postsalesActions"]
    assert appeasement["status"] == "FAILED"
    assert appeasement["refunds"] == [{"id": refund_id, "status": "FAILED"}]
    assert seen["refunds"][0]["failureReason"] == "card expired"
    assert seen["lines"][0]["refunds"] == [{"id": refund_id, "status": "FAILED"}]
    assert seen["lines"][0]["refundableAmount"]["amount"] == "50.00"  # given back
    [warning] = seen["warnings"]
    assert warning["code"] == "REFUND_FAILED" and "card expired" in warning["message"]
    assert warning["actionId"] == appeasement["id"]
    failed = [h for h in seen["history"] if h["details"]["failureReason"]]
    assert failed and failed[0]["actor"]["kind"] == "INTEGRATION"
    assert "FAILED" in failed[0]["message"]
    actions = {a["kind"]: a for a in seen["availableActions"]}
    # The agent may not retry; a supervisor may.
    assert actions["REFUND_RETRY"]["reason"] == "MISSING_PERMISSION"
    body = await gql.execute(RETRY, {"i": {"refundId": refund_id}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await sign_in(db, gql, "supervisor")
    seen = (await gql.data(VIEW, {"n": order["number"]}))["order"]
    actions = {a["kind"]: a for a in seen["availableActions"]}
    assert actions["REFUND_RETRY"]["allowed"] and actions["REFUND_RETRY"]["refundIds"] == [
        refund_id
    ]
    assert appeasement["id"] in actions["APPEASEMENT_CANCEL"]["actionIds"]


async def test_a_supervisor_sends_a_failed_refund_again_once(
    db: Database, gql: GraphQLClient
) -> None:
    order = await appeased(db, gql)
    refund_id = await fail_refund(db, gql, order["order_id"], "pay-fail-2")
    await sign_in(db, gql, "supervisor")
    async with db.read() as s:
        notes = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.order_id == order["order_id"], OutboxMessage.topic == "credit_note"
            )
        )
    done = (await gql.data(RETRY, {"i": {"refundId": refund_id}}))["refundRetry"]
    assert done["__typename"] == "RefundRetrySuccess", done
    assert done["refund"]["status"] == "REQUESTED" and done["refund"]["retryOf"] == refund_id
    assert done["refund"]["net"]["amount"] == "10.00"
    assert done["action"]["status"] == "REQUESTED"
    assert done["order"]["lines"][0]["refundableAmount"]["amount"] == "40.00"
    async with db.read() as s:
        after = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.order_id == order["order_id"], OutboxMessage.topic == "credit_note"
            )
        )
    assert after == (notes or 0) + 1
    again = (await gql.data(RETRY, {"i": {"refundId": refund_id}}))["refundRetry"]
    assert (again["__typename"], again["field"]) == ("IllegalTransition", ["input", "refundId"])
    open_one = (await gql.data(RETRY, {"i": {"refundId": done["refund"]["id"]}}))["refundRetry"]
    assert (open_one["__typename"], open_one["status"]) == ("IllegalTransition", "REQUESTED")
    missing = (await gql.data(RETRY, {"i": {"refundId": 987654}}))["refundRetry"]
    assert missing["__typename"] == "NotFound"
    seen = (await gql.data(VIEW, {"n": order["number"]}))["order"]
    assert seen["warnings"] == []
    assert [r["status"] for r in seen["refunds"]] == ["FAILED", "REQUESTED"]


async def test_a_retry_is_refused_when_the_amount_was_refunded_another_way(
    db: Database, gql: GraphQLClient
) -> None:
    order = await appeased(db, gql, amount="30.00")
    refund_id = await fail_refund(db, gql, order["order_id"], "pay-fail-3")
    # Meanwhile an agent refunds most of the line another way.
    line_id = (await gql.data(
        'query($n: String!) { order(number: $n) { lines { id } } }', {"n": order["number"]}
    ))["order"]["lines"][0]["id"]  # fmt: skip
    await sign_in(db, gql, "agent")
    await gql.data(APPEASE, {"i": {"lineId": line_id, "amount": "45.00", "reason": "GOODWILL"}})
    await sign_in(db, gql, "supervisor")
    before = await snapshot(db)
    refused = (await gql.data(RETRY, {"i": {"refundId": refund_id}}))["refundRetry"]
    assert refused["__typename"] == "AmountExceedsRefundable", refused
    assert refused["maximumRefundable"]["amount"] == "5.00"
    assert await snapshot(db) == before


async def test_a_failed_appeasement_can_be_cancelled_instead(
    db: Database, gql: GraphQLClient
) -> None:
    order = await appeased(db, gql)
    await fail_refund(db, gql, order["order_id"], "pay-fail-4")
    await sign_in(db, gql, "supervisor")
    seen = (await gql.data(VIEW, {"n": order["number"]}))["order"]
    action_id = seen["postsalesActions"][0]["id"]
    done = (await gql.data(CANCEL, {"i": {"actionId": action_id}}))["appeasementCancel"]
    assert done == {"__typename": "AppeasementCancelSuccess", "action": {"status": "CANCELLED"}}
    async with db.read() as s:
        line = (await s.scalars(select(Line).where(Line.order_id == order["order_id"]))).one()
        statuses = list(
            await s.scalars(select(Refund.status).where(Refund.order_id == order["order_id"]))
        )
    assert line.refundable_net == line.net_amount  # given back once, not twice
    assert statuses == [RefundStatus.FAILED]


async def test_a_failed_return_refund_is_retried_as_a_return_refund(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.write() as s:
        order = await make_order(s, status=OrderStatus.DELIVERED, lines=1)
        await s.commit()
    await sign_in(db, gql, "supervisor")
    ids = (await gql.data(
        'query($n: String!) { order(number: $n) { id lines { id } } }', {"n": order.number}
    ))["order"]  # fmt: skip
    made = await gql.data(
        """mutation($i: ReturnCreateInput!) { returnCreate(input: $i) {
          ... on ReturnCreateSuccess { action { id } } } }""",
        {
            "i": {
                "orderId": ids["id"],
                "comment": "Too big",
                "lines": [{"lineId": ids["lines"][0]["id"], "reason": "TOO_LARGE"}],
            }
        },
    )
    action_id = made["returnCreate"]["action"]["id"]
    await gql.data(
        "mutation($a: ID!) { returnApprove(input: {actionId: $a}) { __typename } }",
        {"a": action_id},
    )
    refund_id = await fail_refund(db, gql, order.id, "pay-fail-5")
    await sign_in(db, gql, "supervisor")
    seen = (await gql.data(VIEW, {"n": order.number}))["order"]
    assert seen["postsalesActions"][0]["status"] == "APPROVED"  # the items did come back
    assert [w["code"] for w in seen["warnings"]] == ["REFUND_FAILED"]
    done = (await gql.data(RETRY, {"i": {"refundId": refund_id}}))["refundRetry"]
    assert done["refund"]["kind"] == "RETURN" and done["action"]["status"] == "APPROVED"
    assert Decimal(done["order"]["lines"][0]["refundableAmount"]["amount"]) == 0
