"""Changing the shipping address or method of an order in review (orderShippingUpdate, ORDER_EDIT):
history old → new, the warehouse told, search keys following; refused once released."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db import Database
from models import Order
from models.enums import OrderStatus, Permission
from tests.action_helpers import make_user, outbox, sign_in, snapshot
from tests.conftest import GraphQLClient
from tests.factories import make_order

UPDATE = """mutation($i: OrderShippingUpdateInput!) { orderShippingUpdate(input: $i) { __typename
  ... on OrderShippingUpdateSuccess { order { version shippingMethod
      shippingAddress { name line1 line2 city postalCode country phone }
      history(last: 1) { kind message actor { username }
        details { changes { field old new } } } } }
  ... on UserError { code message field } ... on OrderStatusInvalid { status } } }"""
FIND = """query($f: OrderFilter) { orders(filter: $f) { edges { node { number } } } }"""
ACTIONS = """query($n: String!) { order(number: $n) { id version
  availableActions { kind allowed reason } } }"""
ADDRESS = {
    "name": "Jo Bloggs",
    "line1": "9 Nowhere Lane",
    "line2": "Flat 2",
    "city": "Leeds",
    "postalCode": "LS1 4AP",
    "country": "gb",
    "phone": "+44 7700 900777",
}


async def in_review(db: Database) -> Order:
    async with db.write() as s:
        order = await make_order(s, status=OrderStatus.ORDER_REVIEW, lines=1)
        await s.commit()
    return order


async def test_an_order_in_review_ships_to_a_new_address_by_a_new_method(
    db: Database, gql: GraphQLClient
) -> None:
    order = await in_review(db)
    await sign_in(db, gql, "agent")
    seen = (await gql.data(ACTIONS, {"n": order.number}))["order"]
    actions = {a["kind"]: a for a in seen["availableActions"]}
    assert actions["SHIPPING_UPDATE"]["allowed"]
    done = (
        await gql.data(
            UPDATE,
            {
                "i": {
                    "orderId": seen["id"],
                    "shippingAddress": ADDRESS,
                    "shippingMethod": "Express",
                    "expectedVersion": seen["version"],
                }
            },
        )
    )["orderShippingUpdate"]
    assert done["__typename"] == "OrderShippingUpdateSuccess", done
    shown = done["order"]
    assert shown["shippingMethod"] == "Express"
    assert shown["shippingAddress"] == {**ADDRESS, "country": "GB"}
    assert shown["version"] == seen["version"] + 1
    [entry] = shown["history"]
    assert entry["kind"] == "ORDER_CHANGED" and entry["actor"]["username"] == "agent"
    changes = {c["field"]: (c["old"], c["new"]) for c in entry["details"]["changes"]}
    assert changes["shippingMethod"] == ("Standard", "Express")
    assert changes["shippingAddress.postalCode"] == ("EC1A 1BB", "LS1 4AP")
    assert changes["shippingAddress.line2"] == (None, "Flat 2")
    assert "shippingAddress.country" not in changes  # GB before and after
    [message] = [m for m in await outbox(db, order.id) if m[1] == "shipping_updated"]
    assert message[0] == "WAREHOUSE"
    assert message[2]["shippingAddress"]["postal_code"] == "LS1 4AP"  # as exchange_order's
    assert message[2]["shippingMethod"] == "Express"
    # The queue finds the order by its new address, postal code and phone.
    for term in (
        {"postalCode": "ls14ap"},
        {"shippingAddress": "nowhere"},
        {"customerName": "bloggs"},
        {"telephone": "07700 900777"},
    ):
        found = (await gql.data(FIND, {"f": term}))["orders"]["edges"]
        assert order.number in [e["node"]["number"] for e in found], term


async def test_a_released_order_keeps_its_address(db: Database, gql: GraphQLClient) -> None:
    order = await in_review(db)
    async with db.write() as s:
        row = await s.get(Order, order.id)
        assert row is not None
        row.status = OrderStatus.RELEASED
        await s.commit()
    await sign_in(db, gql, "agent")
    seen = (await gql.data(ACTIONS, {"n": order.number}))["order"]
    actions = {a["kind"]: a for a in seen["availableActions"]}
    assert (actions["SHIPPING_UPDATE"]["allowed"], actions["SHIPPING_UPDATE"]["reason"]) == (
        False,
        "ORDER_STATUS",
    )
    before = await snapshot(db)
    refused = (await gql.data(UPDATE, {"i": {"orderId": seen["id"], "shippingMethod": "Express"}}))[
        "orderShippingUpdate"
    ]
    assert (refused["__typename"], refused["status"]) == ("OrderStatusInvalid", "RELEASED")
    assert await snapshot(db) == before


async def test_bad_or_empty_changes_are_refused_and_change_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    order = await in_review(db)
    await sign_in(db, gql, "agent")
    order_id = (await gql.data(ACTIONS, {"n": order.number}))["order"]["id"]
    before = await snapshot(db)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({}, ["input"]),
        ({"shippingMethod": "  "}, ["input", "shippingMethod"]),
        ({"shippingAddress": {**ADDRESS, "city": " "}}, ["input", "shippingAddress", "city"]),
        (
            {"shippingAddress": {**ADDRESS, "country": "GBR"}},
            ["input", "shippingAddress", "country"],
        ),
        ({"shippingMethod": "Standard"}, ["input"]),  # what it already is
    ]
    for change, field in cases:
        result = (await gql.data(UPDATE, {"i": {"orderId": order_id, **change}}))[
            "orderShippingUpdate"
        ]
        assert (result["code"], result["field"]) == ("VALIDATION_FAILED", field), (change, result)
    stale = (
        await gql.data(
            UPDATE, {"i": {"orderId": order_id, "shippingMethod": "Express", "expectedVersion": 99}}
        )
    )["orderShippingUpdate"]
    assert stale["code"] == "VERSION_CONFLICT"
    assert await snapshot(db) == before


async def test_changing_the_address_needs_order_edit(db: Database, gql: GraphQLClient) -> None:
    order = await in_review(db)
    await make_user(db, "viewer1", [Permission.ORDER_VIEW, Permission.ORDER_CANCEL])
    await sign_in(db, gql, "viewer1")
    seen = (await gql.data(ACTIONS, {"n": order.number}))["order"]
    actions = {a["kind"]: a for a in seen["availableActions"]}
    assert actions["SHIPPING_UPDATE"]["reason"] == "MISSING_PERMISSION"
    body = await gql.execute(UPDATE, {"i": {"orderId": seen["id"], "shippingMethod": "Express"}})
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "permission": "ORDER_EDIT"}
    async with db.read() as s:
        method = await s.scalar(select(Order.shipping_method).where(Order.id == order.id))
    assert method == "Standard"
