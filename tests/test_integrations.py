"""Integrations end to end: refunds through the payment system, warehouse receipts, storefront
orders, dead letters; every inbound event idempotent on its id."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from auth.sessions import issue_token
from core.db import Database
from models import (
    Line,
    Order,
    OutboxMessage,
    Refund,
    Store,
    User,
)
from models.enums import (
    LineStatus,
    OrderStatus,
    OutboxStatus,
    RefundStatus,
    TokenKind,
)
from resolvers.outbox import worker
from tests.conftest import GraphQLClient
from tests.factories import make_order
from tests.receivers import SmtpServer, WebhookReceiver
from tests.test_worker import drain_pending, settings_for

APPEASE = """mutation($i: AppeasementCreateInput!) { appeasementCreate(input: $i) { __typename
  ... on AppeasementCreateSuccess { action { id status } }
  ... on UserError { code message } } }"""
RETURN = """mutation($i: ReturnCreateInput!) { returnCreate(input: $i) { __typename
  ... on ReturnCreateSuccess { action { id status } } ... on UserError { code message } } }"""
CONFIRM = """mutation($i: PaymentRefundConfirmedInput!) { paymentRefundConfirmed(input: $i) {
  __typename ... on PaymentRefundConfirmedSuccess { refund { id status failureReason }
    order { number postsalesActions { id kind status } } }
  ... on UserError { code message } } }"""
RECEIVED = """mutation($i: WarehouseReturnReceivedInput!) { warehouseReturnReceived(input: $i) {
  __typename ... on WarehouseReturnReceivedSuccess { action { id status }
    order { lines { number status refundableAmount { amount } } } }
  ... on UserError { code message field } } }"""
IMPORT = """mutation($i: OrderImportInput!) { orderImport(input: $i) { __typename
  ... on OrderImportSuccess { outcome order { number status lines { sku } } }
  ... on IntakeRejected { code problems { field message } }
  ... on UserError { code message } } }"""


async def integration_token(db: Database) -> str:
    async with db.write() as s:
        user = (await s.scalars(select(User).where(User.username == "integration"))).one()
        token, _ = await issue_token(s, user.id, TokenKind.API)
        await s.commit()
    return token


async def delivered_order(db: Database, lines: int = 2) -> Order:
    async with db.write() as s:
        order = await make_order(s, store="UK", status=OrderStatus.DELIVERED, lines=lines)
        await s.commit()
    return order


async def ids_of(gql: GraphQLClient, number: str) -> dict[str, Any]:
    q = "query($n: String!) { order(number: $n) { id lines { id number } } }"
    return (await gql.data(q, {"n": number}))["order"]


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.read() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_refund_goes_requested_pending_release_released(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    await drain_pending(db)
    order = await delivered_order(db)
    await gql.login("agent")
    ids = await ids_of(gql, order.number)
    created = await gql.data(
        APPEASE,
        {"i": {"lineId": ids["lines"][0]["id"], "amount": "7.50", "reason": "LATE_DELIVERY"}},
    )
    assert created["appeasementCreate"]["__typename"] == "AppeasementCreateSuccess", created
    async with db.read() as s:
        refund = (await s.scalars(select(Refund).where(Refund.order_id == order.id))).one()
    assert refund.status is RefundStatus.REQUESTED

    payment, smtp = WebhookReceiver().start(), SmtpServer().start()
    try:
        settings = settings_for(db, tmp_path, payment_webhook_url=payment.url, smtp_url=smtp.url)
        await worker.run_once(db, settings)
        notes = [d.json for d in payment.deliveries if d.json["topic"] == "credit_note"]
        assert [n["payload"]["refundId"] for n in notes] == [refund.id]
        async with db.read() as s:
            pending = await s.get(Refund, refund.id)
        assert pending is not None and pending.status is RefundStatus.PENDING_RELEASE

        token = await integration_token(db)
        event = {"eventId": "pay-1", "refundId": refund.id, "outcome": "RELEASED"}
        first = await gql.execute(CONFIRM, {"i": event}, token=token)
        result = first["data"]["paymentRefundConfirmed"]
        assert result["__typename"] == "PaymentRefundConfirmedSuccess", result
        assert result["refund"]["status"] == "RELEASED"
        appeasement = [a for a in result["order"]["postsalesActions"] if a["kind"] == "APPEASEMENT"]
        assert appeasement[0]["status"] == "RELEASED"
        # The same event again: same answer, nothing changes.
        messages = await count(db, OutboxMessage)
        again = await gql.execute(CONFIRM, {"i": event}, token=token)
        assert again["data"] == first["data"]
        assert await count(db, OutboxMessage) == messages
        # The same event id with other content is refused.
        other = await gql.execute(CONFIRM, {"i": {**event, "outcome": "FAILED"}}, token=token)
        assert other["data"]["paymentRefundConfirmed"]["code"] == "EVENT_ID_REUSED"
        # The customer is told the refund was released.
        await worker.run_once(db, settings)
        subjects = [m["Subject"] for m in smtp.messages]
        assert f"Your refund for order {order.number} has been released" in subjects
    finally:
        payment.stop()
        smtp.stop()


async def test_a_failed_refund_gives_the_amount_back(db: Database, gql: GraphQLClient) -> None:
    order = await delivered_order(db, lines=1)
    await gql.login("agent")
    ids = await ids_of(gql, order.number)
    await gql.data(
        APPEASE, {"i": {"lineId": ids["lines"][0]["id"], "amount": "10.00", "reason": "GOODWILL"}}
    )
    async with db.read() as s:
        refund = (await s.scalars(select(Refund).where(Refund.order_id == order.id))).one()
    token = await integration_token(db)
    body = await gql.execute(
        CONFIRM,
        {
            "i": {
                "eventId": "pay-f",
                "refundId": refund.id,
                "outcome": "FAILED",
                "reason": "card expired",
            }
        },
        token=token,
    )
    result = body["data"]["paymentRefundConfirmed"]
    assert result["refund"] == {
        "id": refund.id,
        "status": "FAILED",
        "failureReason": "card expired",
    }
    async with db.read() as s:
        line = (await s.scalars(select(Line).where(Line.order_id == order.id))).one()
    assert line.refundable_net == line.net_amount


async def test_a_warehouse_receipt_approves_the_return_and_queues_its_refund(
    db: Database, gql: GraphQLClient
) -> None:
    await drain_pending(db)
    order = await delivered_order(db)
    await gql.login("agent")
    ids = await ids_of(gql, order.number)
    made = await gql.data(
        RETURN,
        {
            "i": {
                "orderId": ids["id"],
                "comment": "Too small",
                "lines": [{"lineId": ids["lines"][1]["id"], "reason": "TOO_SMALL"}],
            }
        },
    )
    assert made["returnCreate"]["__typename"] == "ReturnCreateSuccess", made
    async with db.read() as s:
        source = await s.scalar(select(Store.code).where(Store.id == order.store_id))
        line = (
            await s.scalars(select(Line).where(Line.order_id == order.id, Line.number == 2))
        ).one()
        from models import Source

        return_source = await s.get(Source, line.source_id) if line.source_id else None
    assert source == "UK"
    source_code = return_source.code if return_source else "LON-WH"
    token = await integration_token(db)
    event = {
        "eventId": "wh-1",
        "orderNumber": order.number,
        "lineNumbers": [2],
        "source": source_code,
        "receivedAt": "2026-11-20T10:15:00+00:00",
    }
    first = await gql.execute(RECEIVED, {"i": event}, token=token)
    result = first["data"]["warehouseReturnReceived"]
    assert result["__typename"] == "WarehouseReturnReceivedSuccess", result
    assert result["action"]["status"] == "APPROVED"
    statuses = {ln["number"]: ln["status"] for ln in result["order"]["lines"]}
    assert statuses == {1: "DELIVERED", 2: "RETURNED"}
    credit_notes = await count(
        db, OutboxMessage, OutboxMessage.order_id == order.id, OutboxMessage.topic == "credit_note"
    )
    assert credit_notes == 1
    again = await gql.execute(RECEIVED, {"i": event}, token=token)
    assert again["data"] == first["data"]
    assert (
        await count(
            db,
            OutboxMessage,
            OutboxMessage.order_id == order.id,
            OutboxMessage.topic == "credit_note",
        )
        == 1
    )
    # A receipt for a line without an open return is a typed error and changes nothing.
    wrong = await gql.execute(
        RECEIVED, {"i": {**event, "eventId": "wh-2", "lineNumbers": [1]}}, token=token
    )
    assert wrong["data"]["warehouseReturnReceived"]["code"] == "NOT_FOUND"


async def test_a_receipt_closes_an_exchanges_no_refund_return(
    db: Database, gql: GraphQLClient
) -> None:
    order = await delivered_order(db, lines=1)
    await gql.login("agent")
    ids = await ids_of(gql, order.number)
    line_id = ids["lines"][0]["id"]
    candidates = await gql.data(
        "query($l: ID!) { exchangeCandidates(lineId: $l) { code available } }", {"l": line_id}
    )
    sku = next(c["code"] for c in candidates["exchangeCandidates"] if c["available"] > 0)
    made = await gql.data(
        """mutation($i: ExchangeCreateInput!) { exchangeCreate(input: $i) { __typename
          ... on UserError { code message } } }""",
        {
            "i": {
                "orderId": ids["id"],
                "comment": "Wrong size",
                "lines": [{"lineId": line_id, "skuCode": sku}],
            }
        },
    )
    assert made["exchangeCreate"]["__typename"] == "ExchangeCreateSuccess", made
    q = "query($n: String!) { order(number: $n) { warnings { code } } }"
    before = (await gql.data(q, {"n": order.number}))["order"]["warnings"]
    assert [w["code"] for w in before] == ["RETURN_PENDING"]
    refunds = await count(db, Refund, Refund.order_id == order.id)
    token = await integration_token(db)
    body = await gql.execute(
        RECEIVED,
        {
            "i": {
                "eventId": "wh-x",
                "orderNumber": order.number,
                "lineNumbers": [1],
                "source": "LON-WH",
                "receivedAt": "2026-11-21T09:00:00Z",
            }
        },
        token=token,
    )
    result = body["data"]["warehouseReturnReceived"]
    assert result["action"]["status"] == "APPROVED", body
    assert result["order"]["lines"][0]["status"] == "RETURNED"
    assert await count(db, Refund, Refund.order_id == order.id) == refunds  # no refund
    assert (await gql.data(q, {"n": order.number}))["order"]["warnings"] == []


def storefront_record(reference: str) -> dict[str, Any]:
    example = Path(__file__).parents[1] / "examples/orders.jsonl"
    record: dict[str, Any] = json.loads(example.read_text().splitlines()[0])
    record["clientReference"] = reference
    return record


async def test_orders_arrive_from_the_storefront_once(db: Database, gql: GraphQLClient) -> None:
    token = await integration_token(db)
    record = storefront_record("WEB-UK-API0001")
    first = await gql.execute(IMPORT, {"i": {"eventId": "sf-1", "order": record}}, token=token)
    result = first["data"]["orderImport"]
    assert result["outcome"] == "IMPORTED", result
    assert result["order"]["status"] == "ORDER_REVIEW"
    orders = await count(db, Order)
    assert (await gql.execute(IMPORT, {"i": {"eventId": "sf-1", "order": record}}, token=token))[
        "data"
    ] == first["data"]
    # Another event with the same client reference is skipped, as in the file import.
    second = await gql.execute(IMPORT, {"i": {"eventId": "sf-2", "order": record}}, token=token)
    assert second["data"]["orderImport"]["outcome"] == "SKIPPED"
    assert second["data"]["orderImport"]["order"]["number"] == result["order"]["number"]
    assert await count(db, Order) == orders
    bad = {**storefront_record("WEB-UK-API0002"), "store": "XX"}
    rejected = await gql.execute(IMPORT, {"i": {"eventId": "sf-3", "order": bad}}, token=token)
    assert rejected["data"]["orderImport"]["__typename"] == "IntakeRejected"
    assert rejected["data"]["orderImport"]["problems"][0]["field"] == ["store"]
    assert await count(db, Order) == orders


async def test_integration_mutations_need_the_integration_permission(gql: GraphQLClient) -> None:
    await gql.login("admin")  # every permission but INTEGRATION
    body = await gql.execute(
        IMPORT, {"i": {"eventId": "x", "order": storefront_record("WEB-UK-API0003")}}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_dead_letters_show_and_can_be_retried(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    await drain_pending(db)
    order = await delivered_order(db)
    await gql.login("agent")
    ids = await ids_of(gql, order.number)
    await gql.data(
        APPEASE, {"i": {"lineId": ids["lines"][0]["id"], "amount": "1.00", "reason": "GOODWILL"}}
    )
    down = WebhookReceiver(status=500).start()
    try:
        settings = settings_for(db, tmp_path, payment_webhook_url=down.url, outbox_max_attempts=1)
        assert (await worker.run_once(db, settings)).dead == 1
    finally:
        down.stop()
    await gql.login("admin")
    q = """query($f: OutboxMessageFilter) { outboxMessages(filter: $f, first: 10) {
      totalCount edges { node { id topic status attempts lastError orderNumber payload } } } }"""
    dead = (await gql.data(q, {"f": {"status": ["DEAD"]}}))["outboxMessages"]
    assert dead["totalCount"] == 1
    node = dead["edges"][0]["node"]
    assert node["topic"] == "credit_note" and node["orderNumber"] == order.number
    assert "500" in node["lastError"] and node["payload"]["refundId"]
    retry = """mutation($id: ID!) { outboxMessageRetry(input: {messageId: $id}) {
      __typename ... on OutboxMessageRetrySuccess { outboxMessage { status attempts } } } }"""
    again = (await gql.data(retry, {"id": node["id"]}))["outboxMessageRetry"]
    assert again["outboxMessage"] == {"status": "PENDING", "attempts": 0}
    up = WebhookReceiver().start()
    try:
        settings = settings_for(db, tmp_path, payment_webhook_url=up.url)
        assert (await worker.run_once(db, settings)).delivered == 1
    finally:
        up.stop()
    assert await count(db, OutboxMessage, OutboxMessage.status == OutboxStatus.DEAD) == 0


async def test_the_payment_simulator_releases_refunds_by_itself(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    await drain_pending(db)
    order = await delivered_order(db)
    await gql.login("agent")
    ids = await ids_of(gql, order.number)
    await gql.data(
        APPEASE, {"i": {"lineId": ids["lines"][0]["id"], "amount": "2.00", "reason": "GOODWILL"}}
    )
    settings = settings_for(
        db, tmp_path, payment_simulator=True, payment_simulator_delay_seconds=0.05
    )
    await worker.run_once(db, settings)
    await asyncio.sleep(0.06)
    await worker.run_once(db, settings)
    async with db.read() as s:
        refund = (await s.scalars(select(Refund).where(Refund.order_id == order.id))).one()
        line = (
            await s.scalars(select(Line).where(Line.order_id == order.id, Line.number == 1))
        ).one()
    assert refund.status is RefundStatus.RELEASED
    assert line.status is LineStatus.DELIVERED
    assert line.refundable_net == line.net_amount - Decimal("2.00")
