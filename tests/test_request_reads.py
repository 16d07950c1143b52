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
    """How many connections the app took from its pool; ``held`` gets how many were out,
    that one included, at each checkout."""
    taken = [0]
    pool = db.engine.sync_engine.pool

    def on_checkout(*_: Any) -> None:
        taken[0] += 1
        HELD.append(checked_out(db))

    HELD.clear()
    event.listen(pool, "checkout", on_checkout)
    yield taken
    event.remove(pool, "checkout", on_checkout)


HELD: list[int] = []


def checked_out(db: Database) -> int:
    """Connections out of the pool now (a QueuePool on both engines)."""
    pool: Any = db.engine.sync_engine.pool
    return int(pool.checkedout())


QUEUE = (
    Path(__file__).parents[1] / "frontend-contract" / "operations" / "OrderQueue.graphql"
).read_text()


async def test_the_detail_page_reads_on_one_connection(
    gql: GraphQLClient, checkouts: list[int]
) -> None:
    """A query holds one connection from its sign-in to its end: the sign-in, the order and
    every dataloader batch take turns on it (a connection per batch was eight in all, one
    per wave four)."""
    await gql.login("admin")
    checkouts[0] = 0
    data = await gql.data(DETAIL, {"number": "100001"})
    assert data["order"]["number"] == "100001"
    assert checkouts[0] == 1, checkouts[0]


async def test_the_queue_page_reads_on_one_connection(
    db: Database, gql: GraphQLClient, checkouts: list[int]
) -> None:
    """The sign-in, the page, its count and its lines, actions and history: one connection,
    back in the pool when the answer leaves."""
    await gql.login("agent")
    checkouts[0] = 0
    data = await gql.data(QUEUE, {"first": 50})
    assert data["orders"]["edges"]
    assert checkouts[0] == 1, checkouts[0]
    assert checked_out(db) == 0


async def test_a_refused_request_gives_its_connection_back(
    db: Database, gql: GraphQLClient, checkouts: list[int]
) -> None:
    """Signed in (on the held session), then refused before any operation ran: an invalid
    query, an unknown operation name, a body that is not JSON. Nothing stays checked out."""
    token = await gql.login("agent")
    checkouts[0] = 0
    headers = {"Authorization": f"Bearer {token}"}
    for body in (
        {"query": "{ nope }"},
        {"query": "query A { viewer { username } }", "operationName": "B"},
        {"query": "{ viewer { username } "},
    ):
        response = await gql.http.post("/graphql", json=body, headers=headers)
        assert response.json().get("errors"), response.text
        assert checked_out(db) == 0
    response = await gql.http.post(
        "/graphql", content=b"{not json", headers={**headers, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert checked_out(db) == 0
    assert checkouts[0] >= 3  # the three operations signed in


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
    HELD.clear()
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
    # Nothing held while another connection was taken: the sign-in's session went back
    # before the write, and the answer's before the next wave's.
    assert set(HELD) == {1}, HELD
