"""Issue 11 item 3: text no database can store (a NUL character, a lone surrogate, a value
longer than its column or than any input takes) is refused as ``BAD_USER_INPUT`` naming the
field, before any SQL runs, in every string input: the login's username, search fields,
comments, idempotency keys, names, lists of codes and JSON values, as literals or variables.
On PostgreSQL these returned the SQL statement with its parameters (or, masked, a bare
INTERNAL_SERVER_ERROR); now both engines answer alike and nothing changes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from core.db import Database
from tests.conftest import GraphQLClient, StatementLog
from tests.security.fingerprint import fingerprint, leaks

LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
    __typename } }"""
UNSTORABLE = {
    "NUL": "agent\x00",
    "lone surrogate": "agent\ud800",
    "65 characters": "a" * 65,
    "100,000 characters": "a" * 100_000,
}


async def post(
    http: httpx.AsyncClient, query: str, variables: Any, token: str | None = None
) -> Any:
    """Posts with the JSON encoder's escapes (a lone surrogate travels as ``\\ud800``)."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables}).encode()
    response = await http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert leaks(response.text) == [], response.text
    return response.json()


def refusals(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert body["data"] is None, body
    for error in body["errors"]:
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert error["extensions"]["reason"] in {"TEXT_NOT_STORABLE", "TEXT_TOO_LONG"}, error
    return list(body["errors"])


@pytest.mark.parametrize("kind", sorted(UNSTORABLE))
async def test_login_refuses_unstorable_usernames_before_any_sql(
    db: Database, client: httpx.AsyncClient, sql_log: StatementLog, kind: str
) -> None:
    before = await fingerprint(db)
    sql_log.statements.clear()
    body = await post(client, LOGIN, {"u": UNSTORABLE[kind], "p": "agent"})
    (error,) = refusals(body)
    assert error["extensions"]["field"] == ["input", "username"]
    assert error["message"].startswith("input.username: ")
    assert sql_log.statements == []
    assert await fingerprint(db) == before  # not even a failed attempt recorded


async def test_a_username_of_64_characters_is_an_ordinary_wrong_login(
    client: httpx.AsyncClient,
) -> None:
    body = await post(client, LOGIN, {"u": "a" * 64, "p": "x"})
    assert body["data"]["login"]["__typename"] == "InvalidCredentials"


async def test_the_same_rule_holds_for_literals_and_whole_input_variables(
    client: httpx.AsyncClient,
) -> None:
    literal = await post(
        client,
        'mutation { login(input: {username: "a\\u0000", password: "x"}) { __typename } }',
        {},
    )
    assert refusals(literal)[0]["extensions"]["field"] == ["input", "username"]
    default = await post(
        client,
        'query($n: String = "1\\u0000") { order(number: $n) { id } }',
        {},
    )
    assert refusals(default)[0]["extensions"]["field"] == ["number"]
    json_literal = await post(
        client,
        """mutation { orderImport(input: {eventId: "e1", order: {lines: [{sku: "\\u0000"}]}})
           { __typename } }""",
        {},
    )
    assert refusals(json_literal)[0]["extensions"]["field"] == [
        "input",
        "order",
        "lines",
        "0",
        "sku",
    ]
    # A lone surrogate cannot even be written in a document: a syntax error, typed too.
    syntax = await post(client, 'query { order(number: "\\ud800") { id } }', {})
    assert syntax["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    whole = await post(
        client,
        "mutation($in: LoginInput!) { login(input: $in) { __typename } }",
        {"in": {"username": "ok", "password": "x\ud800"}},
    )
    assert refusals(whole)[0]["extensions"]["field"] == ["input", "password"]


SEARCH = """query($f: OrderFilter) { orders(filter: $f, first: 5) { totalCount } }"""


async def test_every_kind_of_input_is_checked(
    db: Database, gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    token = await gql.login("admin")
    order_id = (await gql.data('{ order(number: "100001") { id } }'))["order"]["id"]
    before = await fingerprint(db)
    cases: list[tuple[str, dict[str, Any], list[str]]] = [
        (SEARCH, {"f": {"customerName": "m\x00ller"}}, ["filter", "customerName"]),
        (SEARCH, {"f": {"storeCodes": ["UK", "D\ud800"]}}, ["filter", "storeCodes", "1"]),
        ("query($n: String) { order(number: $n) { id } }", {"n": "1\x00"}, ["number"]),
        (
            """mutation($id: ID!, $t: String!) { orderCommentAdd(input: {orderId: $id,
               text: $t}) { __typename } }""",
            {"id": order_id, "t": "Called\x00back"},
            ["input", "text"],
        ),
        (
            """mutation($id: ID!, $k: String) { orderCommentAdd(input: {orderId: $id,
               text: "ok", idempotencyKey: $k}) { __typename } }""",
            {"id": order_id, "k": "key\ud83d"},
            ["input", "idempotencyKey"],
        ),
        (
            """mutation($in: UserCreateInput!) { userCreate(input: $in) { __typename } }""",
            {
                "in": {
                    "username": "casey",
                    "displayName": "Casey\x00",
                    "password": "casey-password",
                    "timeZone": "UTC",
                    "roleId": "Um9sZToz",
                }
            },
            ["input", "displayName"],
        ),
        (
            """mutation($in: RoleCreateInput!) { roleCreate(input: $in) { __typename } }""",
            {
                "in": {
                    "name": "Viewers\x00",
                    "level": 3,
                    "permissions": ["ORDER_VIEW"],
                    "storeAccess": "SPECIFIC",
                    "storeCodes": ["FR"],
                }
            },
            ["input", "name"],
        ),
        (
            """mutation($e: String!, $o: JSON!) { orderImport(input: {eventId: $e, order: $o})
               { __typename } }""",
            {"e": "evt-1", "o": {"lines": [{"sku": "A\x00"}], "note\ud800": 1}},
            ["input", "order", "lines", "0", "sku"],
        ),
    ]
    for query, variables, field in cases:
        errors = refusals(await post(client, query, variables, token))
        assert field in [e["extensions"]["field"] for e in errors], (field, errors)
    assert await fingerprint(db) == before


async def test_an_over_long_username_in_administration_is_the_mutations_typed_error(
    db: Database, gql: GraphQLClient
) -> None:
    """Where a rule of the domain checks a length before the column would, its typed error
    (here ``ValidationFailed`` under the field) answers, and nothing is written."""
    await gql.login("admin")
    roles = (await gql.data("{ roles { id name } }"))["roles"]
    role_id = next(r["id"] for r in roles if r["name"] == "CS Agent")
    before = await fingerprint(db, skip=frozenset({"session_token", "login_attempt"}))
    result = await gql.data(
        """mutation($in: UserCreateInput!) { userCreate(input: $in) {
           __typename ... on UserError { field } } }""",
        {
            "in": {
                "username": "u" * 65,
                "displayName": "Casey",
                "password": "casey-password",
                "timeZone": "UTC",
                "roleId": role_id,
            }
        },
    )
    assert result["userCreate"] == {
        "__typename": "ValidationFailed",
        "field": ["input", "username"],
    }
    assert await fingerprint(db, skip=frozenset({"session_token", "login_attempt"})) == before


async def test_every_value_at_fault_is_named(client: httpx.AsyncClient) -> None:
    body = await post(client, LOGIN, {"u": "a\x00", "p": "b" * 2000})
    fields = sorted(e["extensions"]["field"][-1] for e in refusals(body))
    assert fields == ["password", "username"]


@pytest.mark.parametrize(
    "text",
    ["\u202eevil\u202c", "100%", "a_b", "back\\slash", "%_\\", "Zoë Ñandú-Ωmega", "😀 emoji"],
)
async def test_unusual_but_storable_text_passes(gql: GraphQLClient, text: str) -> None:
    """RTL marks, LIKE wildcards, backslashes and emoji are text: searched as written,
    stored as written."""
    await gql.login("supervisor")
    for field in ("customerName", "reference", "email", "shippingAddress"):
        body = await gql.execute(SEARCH, {"f": {field: text}})
        errors = body.get("errors") or []
        # A search may refuse a term as too short, never as unstorable text.
        assert all(e["extensions"].get("reason") != "TEXT_NOT_STORABLE" for e in errors)
        if not errors:
            assert body["data"]["orders"]["totalCount"] == 0, (field, text)
    order_id = (await gql.data('{ order(number: "100001") { id } }'))["order"]["id"]
    added = await gql.data(
        """mutation($id: ID!, $t: String!) { orderCommentAdd(input: {orderId: $id, text: $t})
           { __typename ... on OrderCommentAddSuccess { order { history { message } } } } }""",
        {"id": order_id, "t": text},
    )
    result = added["orderCommentAdd"]
    assert result["__typename"] == "OrderCommentAddSuccess", result
    assert any(text in entry["message"] for entry in result["order"]["history"])
