"""Contract cases of the outbox administration operations (tests/test_contract.py runs them).
The seed queues no messages, so each case first cancels an order in review, as an agent of
the guide would, which queues the warehouse, payment and email messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests import contract_actions
from tests.conftest import GraphQLClient

Check = Callable[[dict[str, Any]], None]
CANCEL = """mutation($i: OrderCancelInput!) { orderCancel(input: $i) { __typename
  ... on OrderCancelSuccess { order { number } } } }"""
MESSAGES = """query($n: String!) { outboxMessages(filter: {orderNumber: $n}, first: 10) {
  edges { node { id } } } }"""


async def _cancelled_order(gql: GraphQLClient) -> str:
    variables = await contract_actions.order_cancel(gql)
    done = await gql.data(CANCEL, {"i": variables})
    assert done["orderCancel"]["__typename"] == "OrderCancelSuccess", done
    return str(done["orderCancel"]["order"]["number"])


async def outbox_messages(gql: GraphQLClient) -> dict[str, Any]:
    return {"filter": {"orderNumber": await _cancelled_order(gql)}, "first": 20}


async def outbox_message_retry(gql: GraphQLClient) -> dict[str, Any]:
    number = await _cancelled_order(gql)
    edges = (await gql.data(MESSAGES, {"n": number}))["outboxMessages"]["edges"]
    return {"messageId": edges[0]["node"]["id"]}


def _messages(data: dict[str, Any]) -> None:
    found = data["outboxMessages"]
    topics = {e["node"]["topic"] for e in found["edges"]}
    assert {"order_cancelled", "cancellation"} <= topics, topics
    assert found["totalCount"] == len(found["edges"])
    assert all(e["node"]["status"] == "PENDING" for e in found["edges"])


def _retried(data: dict[str, Any]) -> None:
    result = data["outboxMessageRetry"]
    assert result["__typename"] == "OutboxMessageRetrySuccess", result
    message = result["outboxMessage"]
    assert message["status"] == "PENDING" and message["attempts"] == 0


CASES: dict[str, tuple[str | None, Callable[[GraphQLClient], Awaitable[dict[str, Any]]], Check]]
CASES = {
    "OutboxMessages": ("admin", outbox_messages, _messages),
    "OutboxMessageRetry": ("admin", outbox_message_retry, _retried),
}
