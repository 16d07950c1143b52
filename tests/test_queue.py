"""The order queue: keyset pages that never repeat or skip, sorts, and constant statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from core.db import Database
from csdesk.app import create_app
from csdesk.seed import seed_database
from models import Order
from tests.conftest import GraphQLClient, Template, _database, make_settings

PAGE = """
query($first: Int!, $after: String, $sort: OrderSort!) {
  orders(first: $first, after: $after, orderBy: $sort) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { number } }
  }
}
"""

QUEUE = (Path(__file__).parents[1] / "frontend-contract/operations/OrderQueue.graphql").read_text()


@pytest.fixture
async def thousand(empty_template: Template, tmp_path: Path) -> Any:
    """A database of its own with 1,000 seeded orders (plus their exchanges/reshipments)."""
    async for db in _database(empty_template, tmp_path):
        await seed_database(db, orders=1000, seed=11, quiet=True)
        yield db


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("PURCHASED_AT_DESC", lambda o: (-o.purchased_at.timestamp(), -o.id)),
        ("GRAND_TOTAL_ASC", lambda o: (o.grand_total, o.id)),
        ("NUMBER_DESC", lambda o: (-o.number_seq, -o.id)),
    ],
)
async def test_walking_1000_orders_never_repeats_or_skips(
    thousand: Database, sort: str, key: Any
) -> None:
    async with thousand.read() as s:
        everything = sorted((await s.scalars(select(Order))).all(), key=key)
    assert len(everything) >= 1000
    app = create_app(make_settings(thousand), database=thousand)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        gql = GraphQLClient(http)
        await gql.login("admin")
        seen: list[str] = []
        after = None
        while True:
            data = (await gql.data(PAGE, {"first": 37, "after": after, "sort": sort}))["orders"]
            assert data["totalCount"] == len(everything)
            seen.extend(e["node"]["number"] for e in data["edges"])
            if not data["pageInfo"]["hasNextPage"]:
                break
            after = data["pageInfo"]["endCursor"]
    assert seen == [o.number for o in everything]


async def test_queue_statement_count_is_constant_and_small(gql: GraphQLClient) -> None:
    await gql.login("admin")
    counts = {}
    for first in (1, 10, 50, 100):
        body = await gql.execute(QUEUE, {"first": first})
        assert not body.get("errors"), body
        assert len(body["data"]["orders"]["edges"]) == first
        counts[first] = body["extensions"]["sqlStatements"]
    assert len(set(counts.values())) == 1, counts
    assert counts[100] <= 6, counts


async def test_default_order_is_newest_purchase_first(gql: GraphQLClient) -> None:
    await gql.login("supervisor")
    data = await gql.data(
        "{ orders(first: 50) { edges { node { purchasedAt } } } }",
    )
    dates = [e["node"]["purchasedAt"] for e in data["orders"]["edges"]]
    import datetime as dt

    instants = [dt.datetime.fromisoformat(d) for d in dates]
    assert instants == sorted(instants, reverse=True)


async def test_the_reported_statement_count_is_what_the_database_ran(
    gql: GraphQLClient, sql_log: Any
) -> None:
    await gql.login("admin")
    before = sql_log.count
    body = await gql.execute(QUEUE, {"first": 20})
    assert body["extensions"]["sqlStatements"] == sql_log.count - before
