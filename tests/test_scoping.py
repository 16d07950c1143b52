"""Store scoping on every path: an order of a store outside the viewer's access behaves
exactly like an order that does not exist."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from core.db import Database
from models import Order, PostsalesAction, Store
from models.enums import ActionKind
from tests.conftest import GraphQLClient

ORDER_BY_NUMBER = "query($n: String!) { order(number: $n) { id number } }"
ORDER_BY_ID = "query($id: ID!) { order(id: $id) { id number } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"


async def _store_order(db: Database, code: str) -> Order:
    async with db.read() as s:
        order = (
            await s.scalars(
                select(Order)
                .join(Store, Store.id == Order.store_id)
                .where(Store.code == code)
                .order_by(Order.id)
            )
        ).first()
    assert order is not None
    return order


async def _ids(gql: GraphQLClient, number: str) -> dict[str, Any]:
    q = "query($n: String!) { order(number: $n) { id lines { id } postsalesActions { id } } }"
    return (await gql.data(q, {"n": number}))["order"]


async def test_other_store_orders_look_missing_on_every_lookup(
    db: Database, gql: GraphQLClient
) -> None:
    us = await _store_order(db, "US")
    await gql.login("admin")
    ids = await _ids(gql, us.number)
    await gql.login("agent")  # UK and DE only
    assert (await gql.data(ORDER_BY_NUMBER, {"n": us.number}))["order"] is None
    assert (await gql.data(ORDER_BY_NUMBER, {"n": "999999"}))["order"] is None
    assert (await gql.data(ORDER_BY_ID, {"id": ids["id"]}))["order"] is None
    assert (await gql.data(NODE, {"id": ids["id"]}))["node"] is None
    assert (await gql.data(NODE, {"id": ids["lines"][0]["id"]}))["node"] is None
    for action in ids["postsalesActions"]:
        assert (await gql.data(NODE, {"id": action["id"]}))["node"] is None
    # The same questions about a visible order answer.
    uk = await _store_order(db, "UK")
    assert (await gql.data(ORDER_BY_NUMBER, {"n": uk.number}))["order"]["number"] == uk.number


async def test_queues_hold_only_the_viewers_stores(db: Database, gql: GraphQLClient) -> None:
    await gql.login("agent")
    q = """query($f: OrderFilter) { orders(filter: $f, first: 100) {
      totalCount edges { node { store { code } } } } }"""
    data = (await gql.data(q))["orders"]
    assert {e["node"]["store"]["code"] for e in data["edges"]} <= {"UK", "DE"}
    async with db.read() as s:
        visible = len(
            (
                await s.scalars(select(Order.id).join(Store).where(Store.code.in_(["UK", "DE"])))
            ).all()
        )
    assert data["totalCount"] == visible
    # Asking for another store explicitly gives nothing, not an error.
    data = (await gql.data(q, {"f": {"storeCodes": ["US", "FR"]}}))["orders"]
    assert data["totalCount"] == 0 and data["edges"] == []

    pq = """{ postsalesActions(first: 100) {
      totalCount edges { node { order { store { code } } } } } }"""
    actions = (await gql.data(pq))["postsalesActions"]
    assert {e["node"]["order"]["store"]["code"] for e in actions["edges"]} <= {"UK", "DE"}
    async with db.read() as s:
        visible_actions = len(
            (
                await s.scalars(
                    select(PostsalesAction.id)
                    .join(Order, Order.id == PostsalesAction.order_id)
                    .join(Store, Store.id == Order.store_id)
                    .where(Store.code.in_(["UK", "DE"]))
                )
            ).all()
        )
    assert actions["totalCount"] == visible_actions


async def test_linked_orders_of_other_stores_are_hidden(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        action = (
            await s.scalars(
                select(PostsalesAction)
                .join(Order, Order.id == PostsalesAction.order_id)
                .join(Store, Store.id == Order.store_id)
                .where(PostsalesAction.kind == ActionKind.EXCHANGE, Store.code == "UK")
                .order_by(PostsalesAction.id)
            )
        ).first()
        assert action is not None and action.resulting_order_id is not None
        origin = await s.get(Order, action.order_id)
        derived = await s.get(Order, action.resulting_order_id)
        assert origin is not None and derived is not None
        us_id = (await s.scalars(select(Store.id).where(Store.code == "US"))).one()
        # Move the exchange order to a store the agent does not see.
        await s.execute(update(Order).where(Order.id == derived.id).values(store_id=us_id))
        await s.commit()
    await gql.login("agent")
    q = """query($n: String!) { order(number: $n) { derivedOrders { number }
      postsalesActions { resultingOrder { number } } history { relatedOrder { number } } } }"""
    data = (await gql.data(q, {"n": origin.number}))["order"]
    assert derived.number not in {d["number"] for d in data["derivedOrders"]}
    assert all(
        (a["resultingOrder"] or {}).get("number") != derived.number
        for a in data["postsalesActions"]
    )
    assert all((h["relatedOrder"] or {}).get("number") != derived.number for h in data["history"])
    await gql.login("admin")
    data = (await gql.data(q, {"n": origin.number}))["order"]
    assert derived.number in {d["number"] for d in data["derivedOrders"]}
