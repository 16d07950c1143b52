"""Regressions found in review: free orders refund nothing, forged cursors and huge amounts
are typed errors, and another store's lines look missing."""

from __future__ import annotations

import base64
import json

from core.db import Database
from models.enums import OrderStatus
from tests.conftest import GraphQLClient
from tests.factories import make_order

APPEASE = """mutation($l: ID!, $a: Decimal!) { appeasementCreate(input: {lineId: $l, amount: $a,
  reason: "GOODWILL"}) { __typename ... on UserError { code message } } }"""


def cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode()


async def test_lines_of_a_reshipment_cannot_be_refunded_again(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.write() as s:
        order = await make_order(s, status=OrderStatus.DELIVERED, lines=1)
        await s.commit()
    await gql.login("agent")
    q = "query($n: String!) { order(number: $n) { id lines { id } } }"
    ids = (await gql.data(q, {"n": order.number}))["order"]
    made = await gql.data(
        """mutation($o: ID!, $l: ID!) { reshipmentCreate(input: {orderId: $o, lineIds: [$l]}) {
          __typename ... on ReshipmentCreateSuccess { newOrder { number
            lines { id refundableAmount { amount } }
            availableActions { kind allowed reason } } } } }""",
        {"o": ids["id"], "l": ids["lines"][0]["id"]},
    )
    new = made["reshipmentCreate"]["newOrder"]
    assert new["lines"][0]["refundableAmount"]["amount"] == "0.00"
    appease = next(a for a in new["availableActions"] if a["kind"] == "APPEASEMENT")
    assert appease["allowed"] is False
    result = await gql.data(APPEASE, {"l": new["lines"][0]["id"], "a": "1.00"})
    assert result["appeasementCreate"]["__typename"] != "AppeasementCreateSuccess"
    # The original line still carries its money.
    ok = await gql.data(APPEASE, {"l": ids["lines"][0]["id"], "a": "1.00"})
    assert ok["appeasementCreate"]["__typename"] == "AppeasementCreateSuccess"


async def test_forged_cursors_are_bad_input(gql: GraphQLClient) -> None:
    await gql.login("admin")
    forged = [
        ("orders", cursor("PURCHASED_AT_DESC", "2020-01-01T00:00:00", 5)),
        ("orders", cursor("PURCHASED_AT_DESC", "2020-01-01T00:00:00+00:00", 10**30)),
        ("postsalesActions", cursor("CREATED_AT_ASC", "2020-01-01T00:00:00", 1)),
    ]
    for field, after in forged:
        body = await gql.execute(
            f"query($a: String) {{ {field}(first: 2, after: $a) {{ totalCount }} }}", {"a": after}
        )
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    body = await gql.execute(
        "query($a: String) { orders(first: 2, after: $a, orderBy: NUMBER_DESC) { totalCount } }",
        {"a": cursor("NUMBER_DESC", "9" * 30, 5)},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


async def test_a_huge_amount_is_a_typed_error(gql: GraphQLClient) -> None:
    await gql.login("agent")
    q = "{ orders(first: 1, filter: {status: [DELIVERED]}) { edges { node { lines { id } } } } }"
    line = (await gql.data(q))["orders"]["edges"][0]["node"]["lines"][0]["id"]
    # An exponent is no amount an agent types: refused by the Decimal scalar (schema/scalars.py).
    body = await gql.execute(APPEASE, {"l": line, "a": "1e999999999"})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    result = await gql.data(APPEASE, {"l": line, "a": "9" * 30})
    assert result["appeasementCreate"]["__typename"] == "AmountExceedsRefundable"


async def test_another_stores_line_looks_missing(gql: GraphQLClient) -> None:
    await gql.login("admin")
    q = """{ orders(first: 1, filter: {storeCodes: ["US"], status: [DELIVERED]}) {
      edges { node { lines { id } } } } }"""
    us_line = (await gql.data(q))["orders"]["edges"][0]["node"]["lines"][0]["id"]
    await gql.login("agent")
    hidden = (await gql.data(APPEASE, {"l": us_line, "a": "1.00"}))["appeasementCreate"]
    missing = (await gql.data(APPEASE, {"l": "TGluZTo5OTk5OTk5", "a": "1.00"}))["appeasementCreate"]
    assert hidden == missing
