"""Issue 11 item 7: arguments that priced or parsed wrong. ``history(last:)`` is bounded like
``first``; an amount is plain ASCII digits, never what else Python's ``Decimal()`` takes
(Arabic-Indic digits, underscores, spaces, exponents, NaN). Refusals are typed and change
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from core.db import Database
from tests.conftest import GraphQLClient
from tests.postsales import APPEASE, made_order, snapshot

HISTORY = 'query($n: Int) { order(number: "100001") { history(last: $n) { at } } }'


def refused(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return dict(error)


async def test_history_last_is_bounded_like_first(gql: GraphQLClient) -> None:
    await gql.login("supervisor")
    for n in (0, 5, 100):
        body = await gql.execute(HISTORY, {"n": n})
        assert not body.get("errors"), (n, body)
        assert len(body["data"]["order"]["history"]) <= n
    for n in (-1, 101, 2**31 - 1):
        error = refused(await gql.execute(HISTORY, {"n": n}))
        assert error["extensions"]["field"] == ["last"], n
        assert "0 to 100" in error["message"], n


NOT_AMOUNTS = [
    "١٢",  # Arabic-Indic digits
    "١٢٫٥٠",
    "１２",  # full-width digits
    "1_000",
    " 12",
    "12 ",
    "1 000",
    "1,5",
    "1e3",
    "1E+30",
    "NaN",
    "-sNaN",
    "Infinity",
    "0x10",
    "+-1",
    "1.2.3",
    ".5",
    "5.",
    "",
    "9" * 33,
    "12\x00",
]


async def test_an_amount_is_plain_ascii_digits(db: Database, gql: GraphQLClient) -> None:
    made = await made_order(db)
    await gql.login("agent")
    before = await snapshot(db)
    for amount in [*NOT_AMOUNTS, 1e20, True, [1], {"a": 1}]:
        payload = {"lineId": made.lines[1], "amount": amount, "reason": "GOODWILL"}
        body = await gql.execute(APPEASE, {"input": payload})
        assert body["data"] is None, amount
        assert refused(body)["extensions"]["reason"] == "INVALID_DECIMAL", amount
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("literal", "ok"),
    [("12.50", True), ('"12.50"', True), ("12", True), ("1e1", False), ('"١٢"', False)],
)
async def test_an_amount_literal_is_read_as_written(
    db: Database, gql: GraphQLClient, literal: str, ok: bool
) -> None:
    made = await made_order(db)
    await gql.login("agent")
    body = await gql.execute(
        f"""mutation($l: ID!) {{ appeasementCreate(input: {{lineId: $l, amount: {literal},
          reason: "GOODWILL"}}) {{ __typename ... on AppeasementCreateSuccess {{
          refund {{ net {{ amount }} }} }} }} }}""",
        {"l": made.lines[1]},
    )
    if ok:
        result = body["data"]["appeasementCreate"]
        assert result["__typename"] == "AppeasementCreateSuccess", body
        assert result["refund"]["net"]["amount"] in ("12.50", "12.00")
    else:
        assert refused(body)["extensions"]["reason"] == "INVALID_DECIMAL"


@pytest.mark.parametrize("amount", ["12.50", "+12.50", "12", 12, 12.5])
async def test_plain_amounts_pass(db: Database, gql: GraphQLClient, amount: object) -> None:
    made = await made_order(db)
    await gql.login("agent")
    payload = {"lineId": made.lines[1], "amount": amount, "reason": "GOODWILL"}
    result = (await gql.data(APPEASE, {"input": payload}))["appeasementCreate"]
    assert result["__typename"] == "AppeasementCreateSuccess", result
    assert result["refund"]["net"]["amount"] in ("12.50", "12.00")
