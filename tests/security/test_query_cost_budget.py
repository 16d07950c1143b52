"""Issue 11 item 2: a per-request time budget. A query still running when its budget is spent
is stopped with a typed error, the database connections it held go back in order, and
mutations are never cut short (schema/budget.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from core.db import Database
from csdesk.app import create_app
from tests.conftest import GraphQLClient, make_settings

# Spent before the first answer from the database: every query that reads runs out of it.
NO_TIME = 1e-9
DETAIL = """query($n: String!) { order(number: $n) { number lines { sku }
  postsalesActions { kind } history { message } derivedOrders { number } } }"""
COMMENT = """mutation($id: ID!) { orderCommentAdd(input: {orderId: $id, text: "Called back."}) {
  __typename ... on OrderCommentAddSuccess { order { number } } } }"""


@asynccontextmanager
async def client(db: Database, **settings: Any) -> AsyncIterator[GraphQLClient]:
    app = create_app(make_settings(db, **settings), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield GraphQLClient(http)


async def test_a_query_over_its_budget_is_stopped_and_the_server_carries_on(
    db: Database,
) -> None:
    async with client(db, request_timeout_seconds=NO_TIME) as hurried:
        await hurried.login("supervisor")  # a mutation: never cut short
        # More stopped queries than the connection pool holds (10 + 20 overflow on
        # PostgreSQL): a connection a stopped query kept would starve the last ones.
        for _ in range(35):
            body = await hurried.execute(DETAIL, {"n": "100001"})
            assert body["data"] is None, body
            (error,) = body["errors"]
            assert error["extensions"] == {"code": "REQUEST_TIMEOUT", "budgetSeconds": NO_TIME}
            assert "time budget" in error["message"]
    async with client(db) as patient:
        await patient.login("supervisor")
        assert (await patient.data(DETAIL, {"n": "100001"}))["order"]["number"] == "100001"


async def test_mutations_run_without_a_budget(db: Database) -> None:
    async with client(db) as patient:
        await patient.login("agent")
        order_id = (await patient.data('{ order(number: "100001") { id } }'))["order"]["id"]
    async with client(db, request_timeout_seconds=NO_TIME) as hurried:
        await hurried.login("agent")
        result = (await hurried.data(COMMENT, {"id": order_id}))["orderCommentAdd"]
        assert result == {"__typename": "OrderCommentAddSuccess", "order": {"number": "100001"}}


async def test_a_budget_of_zero_is_no_budget(db: Database) -> None:
    async with client(db, request_timeout_seconds=0) as unhurried:
        await unhurried.login("supervisor")
        assert (await unhurried.data(DETAIL, {"n": "100001"}))["order"]["number"] == "100001"
