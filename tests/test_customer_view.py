"""The customer behind the call: their orders (orders(filter: {customerId})), how many they
placed and their recent post-sales actions on the order, within the viewer's stores; telephone
search over the address phones too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.db import Database
from models import Customer, Order
from models.base import utcnow
from models.enums import ActionKind, ActionStatus, OrderStatus, OrderType
from tests.action_helpers import sign_in
from tests.conftest import GraphQLClient
from tests.factories import add_action, make_order

CUSTOMER = """query($n: String!, $days: Int!) { order(number: $n) { customer { id orderCount
  recentPostsales(days: $days) { kind status createdAt order { number } } } } }"""
FIND = """query($f: OrderFilter) { orders(filter: $f, first: 50) { totalCount
  edges { node { number } } } }"""


async def customer_with_orders(db: Database) -> tuple[str, list[Order]]:
    """One customer with orders in UK (two, one with an exchange), DE and US; post-sales
    actions of various ages on them."""
    async with db.write() as s:
        first = await make_order(s, store="UK", name="Orla Quinn")
        customer = await s.get(Customer, first.customer_id)
        assert customer is not None
        same: dict[str, Any] = {
            "customer_id": customer.id,
            "customer_name": customer.name,
            "customer_email": customer.email,
        }
        second = await make_order(s, store="UK", name="Orla Quinn", **same)
        german = await make_order(s, store="DE", name="Orla Quinn", **same)
        american = await make_order(s, store="US", name="Orla Quinn", **same)
        exchange = await make_order(
            s,
            store="UK",
            name="Orla Quinn",
            order_type=OrderType.EXCHANGE,
            origin_order_id=first.id,
            number=f"{first.number}-E1",
            status=OrderStatus.ORDER_REVIEW,
            **same,
        )
        now = utcnow()
        for order, kind, days_ago in (
            (first, ActionKind.APPEASEMENT, 40),
            (second, ActionKind.APPEASEMENT, 3),
            (german, ActionKind.APPEASEMENT, 10),
            (american, ActionKind.APPEASEMENT, 5),  # a store the agent does not see
            (second, ActionKind.RETURN, 120),  # too old for 90 days
        ):
            action = await add_action(s, order, kind, ActionStatus.REQUESTED)
            action.created_at = action.updated_at = now - dt.timedelta(days=days_ago)
        await s.commit()
        return customer.external_id, [first, second, german, american, exchange]


async def test_the_customer_view_counts_orders_and_recent_postsales_in_scope(
    db: Database, gql: GraphQLClient
) -> None:
    external_id, (first, second, german, _american, _exchange) = await customer_with_orders(db)
    await sign_in(db, gql, "agent")  # UK and DE
    seen = (await gql.data(CUSTOMER, {"n": first.number, "days": 90}))["order"]["customer"]
    assert seen["id"] == external_id
    assert seen["orderCount"] == 3  # UK, UK, DE: not the exchange, not the US order
    recent = seen["recentPostsales"]
    assert [(a["order"]["number"], a["kind"]) for a in recent] == [
        (second.number, "APPEASEMENT"),
        (german.number, "APPEASEMENT"),
        (first.number, "APPEASEMENT"),
    ]
    month = (await gql.data(CUSTOMER, {"n": first.number, "days": 30}))["order"]["customer"]
    assert len(month["recentPostsales"]) == 2
    await sign_in(db, gql, "admin")  # every store
    every = (await gql.data(CUSTOMER, {"n": first.number, "days": 365}))["order"]["customer"]
    assert every["orderCount"] == 4 and len(every["recentPostsales"]) == 5
    bad = await gql.execute(CUSTOMER, {"n": first.number, "days": 0})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_orders_of_a_customer_within_the_viewer_stores(
    db: Database, gql: GraphQLClient
) -> None:
    external_id, orders = await customer_with_orders(db)
    first, second, german, _american, exchange = orders
    await sign_in(db, gql, "agent")
    found = (await gql.data(FIND, {"f": {"customerId": external_id}}))["orders"]
    numbers = {e["node"]["number"] for e in found["edges"]}
    assert numbers == {first.number, second.number, german.number, exchange.number}
    assert found["totalCount"] == 4
    none = (await gql.data(FIND, {"f": {"customerId": "NO-SUCH-CUSTOMER"}}))["orders"]
    assert none["totalCount"] == 0
    both = await gql.data(FIND, {"f": {"customerId": external_id, "storeCodes": ["DE"]}})
    assert [e["node"]["number"] for e in both["orders"]["edges"]] == [german.number]


async def test_telephone_search_covers_the_address_phones(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        gift = await make_order(
            s, phone="+44 7700 900001", shipping_phone="07700 900222", name="Gift Giver"
        )
        billed = await make_order(
            s, phone=None, billing_phone="+49 30 1234567", billing_country="DE", name="Bill Payer"
        )
        await s.commit()
    await sign_in(db, gql, "agent")

    async def numbers(phone: str) -> set[str]:
        found = (await gql.data(FIND, {"f": {"telephone": phone}}))["orders"]["edges"]
        return {e["node"]["number"] for e in found}

    assert gift.number in await numbers("+44 7700 900222")  # the recipient's phone
    assert gift.number in await numbers("07700 900001")  # the customer's own
    assert billed.number in await numbers("030 1234567")  # the billing address's
