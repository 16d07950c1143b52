"""Order comments: stored verbatim with author and time; typed errors change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import Database
from models import HistoryEntry
from tests.conftest import GraphQLClient

ADD = """mutation($input: OrderCommentAddInput!) { orderCommentAdd(input: $input) {
  __typename
  ... on OrderCommentAddSuccess { order { number version
      history(last: 1) { kind message actor { kind username } } } }
  ... on UserError { code message field }
  ... on VersionConflict { currentVersion }
  ... on CommentInvalid { limit } } }"""


async def order_ref(gql: GraphQLClient, number: str = "100001") -> dict[str, Any]:
    q = "query($n: String!) { order(number: $n) { id version } }"
    return (await gql.data(q, {"n": number}))["order"]


async def history_count(db: Database) -> int:
    async with db.read() as s:
        return int(await s.scalar(select(func.count()).select_from(HistoryEntry)) or 0)


async def test_a_comment_is_stored_verbatim_with_author(gql: GraphQLClient) -> None:
    await gql.login("agent")
    order = await order_ref(gql)
    text = "  Customer called: parcel left with neighbour (Mrs O'Brien, nº 12) — café 😊\nLine 2  "
    result = (await gql.data(ADD, {"input": {"orderId": order["id"], "text": text}}))[
        "orderCommentAdd"
    ]
    assert result["__typename"] == "OrderCommentAddSuccess"
    entry = result["order"]["history"][0]
    assert entry == {
        "kind": "COMMENT",
        "message": text,
        "actor": {"kind": "USER", "username": "agent"},
    }
    assert result["order"]["version"] == order["version"] + 1


@pytest.mark.parametrize(("text", "limit"), [("", 2000), ("   ", 2000), ("x" * 2001, 2000)])
async def test_empty_or_long_comments_are_refused(
    db: Database, gql: GraphQLClient, text: str, limit: int
) -> None:
    await gql.login("agent")
    order = await order_ref(gql)
    before = await history_count(db)
    result = (await gql.data(ADD, {"input": {"orderId": order["id"], "text": text}}))[
        "orderCommentAdd"
    ]
    assert result["__typename"] == "CommentInvalid"
    assert result["field"] == ["input", "text"] and result["limit"] == limit
    assert await history_count(db) == before
    assert (await order_ref(gql))["version"] == order["version"]


async def test_exactly_2000_characters_are_accepted(gql: GraphQLClient) -> None:
    await gql.login("agent")
    order = await order_ref(gql)
    result = await gql.data(ADD, {"input": {"orderId": order["id"], "text": "é" * 2000}})
    assert result["orderCommentAdd"]["__typename"] == "OrderCommentAddSuccess"


async def test_stale_version_is_a_conflict_and_writes_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    await gql.login("agent")
    order = await order_ref(gql)
    first = {"orderId": order["id"], "text": "first", "expectedVersion": order["version"]}
    assert (await gql.data(ADD, {"input": first}))["orderCommentAdd"]["__typename"] == (
        "OrderCommentAddSuccess"
    )
    before = await history_count(db)
    stale = {**first, "text": "second"}
    result = (await gql.data(ADD, {"input": stale}))["orderCommentAdd"]
    assert result["__typename"] == "VersionConflict"
    assert result["currentVersion"] == order["version"] + 1
    assert await history_count(db) == before


async def test_unknown_and_other_store_orders_are_not_found(
    gql: GraphQLClient, db: Database
) -> None:
    await gql.login("admin")
    us = await gql.data(
        '{ orders(first: 1, filter: {storeCodes: ["US"]}) { edges { node { id } } } }'
    )
    us_id = us["orders"]["edges"][0]["node"]["id"]
    await gql.login("agent")
    before = await history_count(db)
    for order_id in (us_id, "T3JkZXI6OTk5OTk5", "garbage"):
        result = (await gql.data(ADD, {"input": {"orderId": order_id, "text": "hello"}}))[
            "orderCommentAdd"
        ]
        assert result["__typename"] == "NotFound", order_id
        assert result["field"] == ["input", "orderId"]
    assert await history_count(db) == before


async def test_idempotent_replay_adds_one_comment(db: Database, gql: GraphQLClient) -> None:
    await gql.login("agent")
    order = await order_ref(gql)
    before = await history_count(db)
    payload = {"orderId": order["id"], "text": "once", "idempotencyKey": "k-123"}
    first = await gql.data(ADD, {"input": payload})
    again = await gql.data(ADD, {"input": payload})
    assert first == again
    assert await history_count(db) == before + 1
    other = await gql.data(ADD, {"input": {**payload, "text": "different"}})
    assert other["orderCommentAdd"]["__typename"] == "IdempotencyKeyReused"


async def test_a_blank_idempotency_key_is_a_typed_error(gql: GraphQLClient) -> None:
    await gql.login("agent")
    order = await order_ref(gql)
    result = await gql.data(
        ADD, {"input": {"orderId": order["id"], "text": "x", "idempotencyKey": " "}}
    )
    assert result["orderCommentAdd"]["__typename"] == "ValidationFailed"
    assert result["orderCommentAdd"]["field"] == ["input", "idempotencyKey"]
