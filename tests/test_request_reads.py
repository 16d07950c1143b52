"""The read sessions of a request (resolvers/loaders/reads.py): a query's resolvers and
dataloaders take turns on one session instead of a session per batch; each mutation field
reads its answer in a session begun after its own write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from core.db import Database
from tests.conftest import GraphQLClient, StatementLog
from tests.postsales import made_order
from tests.test_comments import order_ref

DETAIL = (
    Path(__file__).parents[1] / "frontend-contract" / "operations" / "OrderDetail.graphql"
).read_text()


@pytest.fixture
def checkouts(db: Database) -> Iterator[list[int]]:
    """How many connections the app took from its pool."""
    taken = [0]

    def on_checkout(*_: Any) -> None:
        taken[0] += 1

    pool = db.engine.sync_engine.pool
    event.listen(pool, "checkout", on_checkout)
    yield taken
    event.remove(pool, "checkout", on_checkout)


async def test_the_detail_page_shares_its_connections(
    gql: GraphQLClient, checkouts: list[int]
) -> None:
    """One connection to sign in, one for the order, and the dataloaders' batches share the
    rest (a connection per batch was seven in all)."""
    await gql.login("admin")
    checkouts[0] = 0
    data = await gql.data(DETAIL, {"number": "100001"})
    assert data["order"]["number"] == "100001"
    assert checkouts[0] <= 4, checkouts[0]


TWO_COMMENTS = """mutation($o: ID!) {
  a: orderCommentAdd(input: {orderId: $o, text: "first"}) { ...Answer }
  b: orderCommentAdd(input: {orderId: $o, text: "second"}) { ...Answer }
}
fragment Answer on OrderCommentAddResult {
  __typename
  ... on OrderCommentAddSuccess {
    order { version history(last: 1) { message } lines { id } }
  }
}"""


async def test_each_mutation_answers_with_its_own_write(gql: GraphQLClient) -> None:
    """Two mutation fields in one operation: the second answer shows the second write, not
    what the first answer read."""
    await gql.login("agent")
    order = await order_ref(gql)
    data = await gql.data(TWO_COMMENTS, {"o": order["id"]})
    a, b = data["a"]["order"], data["b"]["order"]
    assert (a["version"], a["history"]) == (order["version"] + 1, [{"message": "first"}])
    assert (b["version"], b["history"]) == (order["version"] + 2, [{"message": "second"}])


APPEASE_CONTRACT = (
    Path(__file__).parents[1] / "frontend-contract" / "operations" / "AppeasementCreate.graphql"
).read_text()


async def test_an_appeasement_and_its_answer_take_few_statements_and_connections(
    db: Database, gql: GraphQLClient, sql_log: StatementLog, checkouts: list[int]
) -> None:
    """The contract's appeasementCreate (action, refund, creator, lines, history): the order
    is locked through the line in one statement, the ledger's draw trusts the remaining net
    just read, and the answer's order, action with its creator and refund are read in one
    session. 17 statements and 4 connections in all (20 and 5 before), on both engines."""
    made = await made_order(db)
    await gql.login("agent")
    sql_log.statements.clear()
    checkouts[0] = 0
    data = await gql.data(
        APPEASE_CONTRACT, {"lineId": made.lines[1], "amount": "5.00", "reason": "LATE_DELIVERY"}
    )
    answer = data["appeasementCreate"]
    assert answer["__typename"] == "AppeasementCreateSuccess", answer
    assert answer["action"]["createdBy"]["username"] == "agent"
    assert answer["refund"]["remainingRefundable"]["amount"] == "95.00"
    assert answer["order"]["history"][0]["kind"] == "APPEASEMENT"
    assert sql_log.count <= 17, "\n".join(sql_log.statements)
    assert checkouts[0] <= 4, checkouts[0]
