"""Issue 12, item 5: the once-a-minute session touch never fails a request. Eight clients work
at once, readers and writers, while their sessions cross the touch interval; on SQLite the
touch used to upgrade the request's read transaction and answer 500 "database is locked"."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
from sqlalchemy import select, update

from core.db import Database
from models import SessionToken
from tests.conftest import GraphQLClient

CLIENTS = 8
ROUNDS = 6
READ = "{ orders(first: 5) { edges { node { id number } } } }"
COMMENT = """mutation($id: ID!, $text: String!) {
  orderCommentAdd(input: {orderId: $id, text: $text}) { __typename } }"""


async def test_eight_clients_across_the_touch_interval_get_no_errors(
    db: Database, client: httpx.AsyncClient
) -> None:
    clients = [GraphQLClient(client) for _ in range(CLIENTS)]
    for c in clients:
        await c.login("admin")
    order_ids = [e["node"]["id"] for e in (await clients[0].data(READ))["orders"]["edges"]]
    failures: list[str] = []

    async def work(n: int, c: GraphQLClient, round_: int) -> None:
        for i in range(3):
            headers = {"Authorization": f"Bearer {c.token}"}
            if n % 2:
                payload = {
                    "query": COMMENT,
                    "variables": {"id": order_ids[n % len(order_ids)], "text": f"r{round_} {i}"},
                }
            else:
                payload = {"query": READ}
            r = await client.post("/graphql", json=payload, headers=headers)
            body = (
                r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
            )
            if r.status_code != 200 or body.get("errors"):
                failures.append(f"{r.status_code} {r.text[:200]}")

    for round_ in range(ROUNDS):
        # The touch interval has passed for every session: each next request refreshes it.
        async with db.write() as s:
            await s.execute(
                update(SessionToken).values(
                    last_used_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
                )
            )
            await s.commit()
        await asyncio.gather(*(work(n, c, round_) for n, c in enumerate(clients)))
    assert failures == []
    # Every session was touched.
    async with db.read() as s:
        used = list(await s.scalars(select(SessionToken.last_used_at)))
    assert all(dt.datetime.now(dt.UTC) - u < dt.timedelta(minutes=1) for u in used)
