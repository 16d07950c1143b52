"""The queue's search fields: what must match and what must not, on every backend."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.db import Database
from models import Order
from models.enums import ActionKind, ActionStatus, OrderStatus, OrderType
from resolvers.normalize import fold
from tests.conftest import GraphQLClient
from tests.factories import add_action, make_order

SEARCH = """
query($filter: OrderFilter, $first: Int!) {
  orders(filter: $filter, first: $first) {
    totalCount
    edges { node { number reference } }
  }
}
"""


async def numbers(gql: GraphQLClient, **filter: Any) -> set[str]:
    data = await gql.data(SEARCH, {"filter": filter, "first": 100})
    found = {e["node"]["number"] for e in data["orders"]["edges"]}
    assert data["orders"]["totalCount"] == len(found)
    return found


async def search_error(gql: GraphQLClient, **filter: Any) -> dict[str, Any]:
    body = await gql.execute(SEARCH, {"filter": filter, "first": 10})
    assert body.get("errors"), body
    error: dict[str, Any] = body["errors"][0]
    return error


@pytest.fixture
async def admin(gql: GraphQLClient) -> GraphQLClient:
    await gql.login("admin")
    return gql


async def test_reference_exact_prefix_and_case(db: Database, admin: GraphQLClient) -> None:
    async with db.write() as s:
        a = await make_order(s, reference="WEB-UK-ZZTOP1")
        b = await make_order(s, reference="WEB-UK-ZZTOP22")
        await s.commit()
    assert await numbers(admin, reference="web-uk-zztop1") == {a.number}
    assert await numbers(admin, reference="WEB-UK-ZZTOP") == {a.number, b.number}
    assert await numbers(admin, reference=a.number) == {a.number}
    assert await numbers(admin, reference="WEB-UK-ZZTOQ") == set()


async def test_customer_name_words_any_order_accents_and_apostrophes(
    db: Database, admin: GraphQLClient
) -> None:
    async with db.write() as s:
        jurgen = await make_order(s, name="Jürgen Müllerschön")
        obrien = await make_order(s, name="Siobhán O'Brienovic")
        gift = await make_order(s, name="Zebediah Quarrington", shipping_name="Renée Lefèvrette")
        await s.commit()
    assert await numbers(admin, customerName="mullerschon jurgen") == {jurgen.number}
    assert await numbers(admin, customerName="JÜRGEN MÜLLERSCHÖN") == {jurgen.number}
    assert await numbers(admin, customerName="o'brienovic") == {obrien.number}
    assert await numbers(admin, customerName="obrienovic siobhan") == {obrien.number}
    assert await numbers(admin, customerName="lefevrette renee") == {gift.number}
    assert await numbers(admin, customerName="quarrington") == {gift.number}
    assert await numbers(admin, customerName="mullerschon hans") == set()


async def test_postal_code_ignores_case_spaces_and_dashes(
    db: Database, admin: GraphQLClient
) -> None:
    async with db.write() as s:
        uk = await make_order(s, shipping_postal_code="ZZ9A 9ZZ", billing_postal_code="ZZ9A 9ZZ")
        us = await make_order(
            s, store="US", billing_postal_code="99950-1234", shipping_postal_code="99950-1234"
        )
        billing_only = await make_order(s, billing_postal_code="ZZ8 8YY")
        await s.commit()
    assert await numbers(admin, postalCode="zz9a9zz") == {uk.number}
    assert await numbers(admin, postalCode="ZZ9A-9ZZ") == {uk.number}
    assert await numbers(admin, postalCode="999501234") == {us.number}
    assert await numbers(admin, postalCode="99950") == {us.number}
    assert await numbers(admin, postalCode="zz8 8yy") == {billing_only.number}


async def test_address_substrings_on_their_own_address(db: Database, admin: GraphQLClient) -> None:
    async with db.write() as s:
        ship = await make_order(s, shipping_line1="221B Quixotic Street", shipping_city="Zürich")
        bill = await make_order(s, billing_line1="7 Quixotic Lane", billing_region="Quuxshire")
        await s.commit()
    assert await numbers(admin, shippingAddress="quixotic str") == {ship.number}
    assert await numbers(admin, billingAddress="quixotic") == {bill.number}
    assert await numbers(admin, billingAddress="quuxshire") == {bill.number}
    assert ship.number in await numbers(admin, shippingAddress="zurich")
    assert await numbers(admin, shippingAddress="quixotic lane") == set()


async def test_email_whole_or_start_case_insensitive(db: Database, admin: GraphQLClient) -> None:
    async with db.write() as s:
        o = await make_order(s, email="Zora.Quill@Example.COM")
        await s.commit()
    assert await numbers(admin, email="zora.quill@example.com") == {o.number}
    assert await numbers(admin, email="ZORA.Q") == {o.number}
    assert await numbers(admin, email="quill@example.com") == set()


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("07700 900731", "+44 7700 900731"),
        ("+44 7700 900732", "07700 900732"),
        ("+44 (0)7700 900733", "447700900733"),
        ("+1 (415) 555-0734", "415.555.0734"),
        ("030 5550735", "+49 30 5550735"),
    ],
)
async def test_telephone_matches_on_the_national_number(
    db: Database, admin: GraphQLClient, stored: str, typed: str
) -> None:
    async with db.write() as s:
        o = await make_order(s, phone=stored)
        await s.commit()
    assert await numbers(admin, telephone=typed) == {o.number}


async def test_dates_are_calendar_days_of_the_viewer_around_midnight_and_dst(
    db: Database, admin: GraphQLClient
) -> None:
    # Europe/London (the admin's zone) moves to BST at 2026-03-29 01:00 UTC.
    at = {
        "before": dt.datetime(2026, 3, 28, 23, 59, tzinfo=dt.UTC),  # 23:59 GMT, 28 March
        "first": dt.datetime(2026, 3, 29, 0, 0, tzinfo=dt.UTC),  # 00:00 GMT, 29 March
        "last": dt.datetime(2026, 3, 29, 22, 59, tzinfo=dt.UTC),  # 23:59 BST, 29 March
        "after": dt.datetime(2026, 3, 29, 23, 0, tzinfo=dt.UTC),  # 00:00 BST, 30 March
    }
    made = {}
    async with db.write() as s:
        for key, when in at.items():
            made[key] = (await make_order(s, reference=f"DST-ZZ-{key}", purchased_at=when)).number
        await s.commit()
    day = {"reference": "DST-ZZ-", "createdFrom": "2026-03-29", "createdTo": "2026-03-29"}
    assert await numbers(admin, **day) == {made["first"], made["last"]}
    assert await numbers(admin, reference="DST-ZZ-", createdTo="2026-03-28") == {made["before"]}
    assert await numbers(admin, reference="DST-ZZ-", createdFrom="2026-03-30") == {made["after"]}
    # In New York the same instants fall on other calendar days.
    async with db.write() as s:
        from sqlalchemy import update

        from models import User

        await s.execute(
            update(User).where(User.username == "admin").values(time_zone="America/New_York")
        )
        await s.commit()
    assert await numbers(admin, **day) == {made["last"], made["after"]}


async def test_action_status_type_status_and_store_filters(
    db: Database, admin: GraphQLClient
) -> None:
    async with db.write() as s:
        appeased = await make_order(s, reference="FLT-ZZ-1")
        await add_action(s, appeased, ActionKind.APPEASEMENT, ActionStatus.PENDING_RELEASE)
        returned = await make_order(s, reference="FLT-ZZ-2", store="DE")
        await add_action(s, returned, ActionKind.RETURN, ActionStatus.REQUESTED)
        exchange = await make_order(
            s, reference="FLT-ZZ-3", order_type=OrderType.EXCHANGE, status=OrderStatus.ORDER_REVIEW
        )
        await s.commit()
    ref = {"reference": "FLT-ZZ-"}
    assert await numbers(admin, **ref, appeasementStatus="PENDING_RELEASE") == {appeased.number}
    assert await numbers(admin, **ref, appeasementStatus="RELEASED") == set()
    assert await numbers(admin, **ref, returnStatus="REQUESTED") == {returned.number}
    assert await numbers(admin, **ref, orderType="EXCHANGE") == {exchange.number}
    assert await numbers(admin, **ref, status=["ORDER_REVIEW"]) == {exchange.number}
    assert await numbers(admin, **ref, storeCodes=["DE"]) == {returned.number}
    assert await numbers(admin, **ref, storeCodes=["de", "UK"]) == {
        appeased.number,
        returned.number,
        exchange.number,
    }
    # Empty strings are ignored.
    assert await numbers(admin, **ref, email="", customerName="  ") == {
        appeased.number,
        returned.number,
        exchange.number,
    }


@pytest.mark.parametrize(
    ("filter", "field"),
    [
        ({"customerName": "x" * 201}, "customerName"),
        ({"shippingAddress": "ab"}, "shippingAddress"),
        ({"billingAddress": "zz"}, "billingAddress"),
        ({"telephone": "12"}, "telephone"),
        ({"createdFrom": "2026-02-02", "createdTo": "2026-02-01"}, "createdFrom"),
    ],
)
async def test_bad_search_input_is_a_typed_error(
    admin: GraphQLClient, filter: dict[str, Any], field: str
) -> None:
    error = await search_error(admin, **filter)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == ["filter", field]


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_page_size_outside_1_to_100_is_refused(admin: GraphQLClient, first: int) -> None:
    body = await admin.execute(SEARCH, {"first": first})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == ["first"]


async def test_a_cursor_of_another_sort_is_refused(admin: GraphQLClient) -> None:
    query = """query($after: String, $sort: OrderSort!) {
      orders(first: 2, after: $after, orderBy: $sort) { pageInfo { endCursor } } }"""
    data = await admin.data(query, {"sort": "GRAND_TOTAL_ASC"})
    cursor = data["orders"]["pageInfo"]["endCursor"]
    body = await admin.execute(query, {"after": cursor, "sort": "PURCHASED_AT_DESC"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await admin.execute(query, {"after": "garbage!", "sort": "PURCHASED_AT_DESC"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_extreme_dates_are_clamped_not_errors(admin: GraphQLClient) -> None:
    data = await admin.data(
        SEARCH, {"filter": {"createdFrom": "0001-01-01", "createdTo": "9999-12-31"}, "first": 1}
    )
    assert data["orders"]["totalCount"] > 0


async def test_text_search_follows_an_address_change(db: Database, admin: GraphQLClient) -> None:
    """The text index is kept in step with the orders (SQLite: triggers on the order table)."""
    async with db.write() as s:
        order = await make_order(s, shipping_line1="12 Quillfeather Lane")
        await s.commit()
    assert await numbers(admin, shippingAddress="quillfeather") == {order.number}
    async with db.write() as s:
        row = await s.get(Order, order.id)
        assert row is not None
        row.shipping_line1 = "7 Marrowbone Row"
        row.shipping_address_key = fold(f"{row.shipping_line1} {row.shipping_city}")
        await s.commit()
    assert await numbers(admin, shippingAddress="quillfeather") == set()
    assert await numbers(admin, shippingAddress="marrowbone") == {order.number}
