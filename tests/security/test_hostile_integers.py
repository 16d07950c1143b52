"""Issue 11 item 7: every integer argument is bounded (``history(last:)`` was not). Extreme
integers in every ``Int`` input of every root field (walked from the schema, as the hostile
strings are) and in every ``Int`` argument of a nested field get a typed answer (data, a
result union's error or ``BAD_USER_INPUT``), never ``INTERNAL_SERVER_ERROR``, and never an
unbounded page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import GraphQLObjectType, get_named_type

from core.db import Database
from schema import build_schema
from tests.conftest import GraphQLClient
from tests.security.fingerprint import leaks
from tests.security.test_hostile_strings import TYPED_CODES, Values, cases, seed_ids
from tests.test_integrations import integration_token

EXTREMES = {
    "most negative": -(2**31),
    "minus one": -1,
    "zero": 0,
    "just over a page": 101,
    "largest": 2**31 - 1,
}
# Every Int argument of a field below the root, and a query that reaches it ($n).
NESTED: dict[tuple[str, str], str] = {
    ("Order", "history.first"): '{ order(number: "100001") { history(first: $n) { at } } }',
    ("Order", "history.last"): '{ order(number: "100001") { history(last: $n) { at } } }',
    ("Customer", "recentPostsales.days"): """{ order(number: "100001") { customer {
        recentPostsales(days: $n) { kind } } } }""",
}


def nested_int_arguments() -> set[tuple[str, str]]:
    schema = build_schema()._schema
    roots = {schema.query_type, schema.mutation_type}
    found: set[tuple[str, str]] = set()
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_ in roots:
            continue
        if type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            for arg_name, arg in field.args.items():
                if get_named_type(arg.type).name == "Int":
                    found.add((type_.name, f"{name}.{arg_name}"))
    return found


def test_every_nested_int_argument_is_listed() -> None:
    assert nested_int_arguments() == set(NESTED)


def typed(body: dict[str, Any]) -> bool:
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
    return not codes - TYPED_CODES


@pytest.mark.parametrize("where", sorted(NESTED))
async def test_nested_int_arguments_are_bounded(gql: GraphQLClient, where: tuple[str, str]) -> None:
    await gql.login("supervisor")
    query = "query($n: Int!) " + NESTED[where]
    for label, n in EXTREMES.items():
        body = await gql.execute(query, {"n": n})
        assert typed(body), (label, body)
        if not body.get("errors") and where[0] == "Order":
            assert len(body["data"]["order"]["history"]) <= 100, label


async def test_extreme_integers_in_every_int_input_of_every_root_field(
    db: Database, gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    admin = await gql.login("admin")
    integration = await integration_token(db)
    values = Values(await seed_ids(gql))
    problems: list[str] = []
    everything = list(cases(values, EXTREMES, frozenset({"Int"})))
    assert len({name for name, *_ in everything}) >= 8
    for name, query, path, label, variables in everything:
        for token in (admin, integration):
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"authorization": f"Bearer {token}"},
            )
            body = response.json()
            codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
            if "FORBIDDEN" not in codes:
                break
        where = f"{name} {'.'.join(path)} = {label}"
        if response.status_code != 200 or leaks(response.text) or not typed(body):
            problems.append(f"{where}: {response.text[:300]}")
        for connection in ("orders", "postsalesActions", "outboxMessages"):
            if name == connection and not body.get("errors"):
                problems.append(f"{where}: a page of {label} was served")
    assert problems == [], "\n".join(problems[:40])
