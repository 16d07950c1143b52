"""Issue 11 item 9: hostile strings in every string input of every root field.

The schema is walked, not listed: every field of Query and Mutation, every argument, every
field of every input object under it (optional ones included, lists through their first
entry), down to each ``String``, ``ID`` and ``JSON`` value. Each such value, one at a time,
gets each hostile string while every other argument holds a plausible value (the real ids of
the seed's order 100001, its line and action, the agent and its role; a known reason, time
zone, currency…), so that the request gets as far as it can.

- Text no database can store (a NUL, lone surrogates, 100,000 characters) must be refused
  with ``BAD_USER_INPUT`` naming that value, and the database must be exactly as it was.
- Text that is odd but storable (right-to-left marks, ``%``, ``_``, ``\\``, quotes) must get a
  typed answer (data, a result union's error, or a typed top-level error), never
  ``INTERNAL_SERVER_ERROR``.
- No answer ever holds SQL text, a driver's name or a traceback.

Every request is sent as the administrator, or with the integration user's API token where
the field needs INTEGRATION.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
    is_leaf_type,
)

from core.db import Database
from schema import build_schema
from schema.text_inputs import MAX_TEXT
from tests.conftest import GraphQLClient
from tests.security.fingerprint import fingerprint, leaks
from tests.test_integrations import integration_token

UNSTORABLE = {
    "NUL": "a\x00b",
    "lone high surrogate": "\ud800",
    "lone low surrogate": "x\udfffy",
    "100,000 characters": "x" * 100_000,
}
STORABLE = {
    "RTL marks": "\u202eevil\u202c\u200f",
    "LIKE wildcards and a backslash": "%_\\%",
    "quotes and a comment": "' OR 1=1 --\"",
    # Longer than every column, within what any input may take: refused by a column's or a
    # rule's limit, never by the database.
    "the longest text taken": "x" * MAX_TEXT,
}
TEXT = frozenset({"String", "ID", "JSON"})
# Codes of typed top-level answers (a union member is typed by construction).
TYPED_CODES = frozenset({"BAD_USER_INPUT", "FORBIDDEN", "UNAUTHENTICATED", "QUERY_TOO_COMPLEX"})
# Plausible values by field or argument name, so that a request gets past its other inputs.
STRINGS = {
    "number": "100001",
    "orderNumber": "100001",
    "reason": "GOODWILL",
    "timeZone": "UTC",
    "password": "long-enough-password",
    "username": "casey",
    "displayName": "Casey",
    "currency": "GBP",
    "language": "en",
    "vatCountry": "GB",
    "country": "GB",
    "store": "UK",
    "storeCodes": "UK",
    "text": "Called back.",
    "comment": "Called back.",
    "name": "Casey",
}


def unwrap(type_: Any) -> Any:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def required(field: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined


class Values:
    """Plausible values for each input type, with the seed's real ids."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids

    def base(self, type_: GraphQLInputType, name: str) -> Any:
        type_ = unwrap(type_)
        if isinstance(type_, GraphQLList):
            return [self.base(type_.of_type, name)]
        if isinstance(type_, GraphQLInputObjectType):
            return {n: self.base(f.type, n) for n, f in type_.fields.items() if required(f)}
        if isinstance(type_, GraphQLEnumType):
            return next(iter(type_.values))
        assert isinstance(type_, GraphQLScalarType)
        return {
            "String": STRINGS.get(name, "x"),
            "ID": self.ids.get(name.removesuffix("s"), self.ids["orderId"]),
            "Int": 1,
            "Float": 1.0,
            "Boolean": False,
            "Decimal": "1.00",
            "JSON": {},
            "Date": "2026-01-01",
            "DateTime": "2026-01-01T00:00:00Z",
        }.get(type_.name, "x")

    def with_leaf(self, current: Any, type_: Any, name: str, path: list[str], leaf: Any) -> Any:
        """``current`` (a value of ``type_``) with the value at ``path`` set to ``leaf``."""
        type_ = unwrap(type_)
        if not path:
            return leaf
        if isinstance(type_, GraphQLList):
            items = list(current) if current else [self.base(type_.of_type, name)]
            items[0] = self.with_leaf(items[0], type_.of_type, name, path[1:], leaf)
            return items
        assert isinstance(type_, GraphQLInputObjectType)
        value = dict(current) if current else self.base(type_, name)
        key = path[0]
        inner = type_.fields[key].type
        value[key] = self.with_leaf(
            value.get(key, self.base(inner, key)), inner, key, path[1:], leaf
        )
        return value


def leaves(
    type_: Any, path: list[str], seen: frozenset[str], scalars: frozenset[str] = TEXT
) -> Iterator[list[str]]:
    """Paths of every value of one of ``scalars`` under a value of ``type_``."""
    type_ = unwrap(type_)
    if isinstance(type_, GraphQLList):
        yield from leaves(type_.of_type, [*path, "0"], seen, scalars)
    elif isinstance(type_, GraphQLInputObjectType):
        if type_.name in seen:
            return
        for name, field in type_.fields.items():
            yield from leaves(field.type, [*path, name], seen | {type_.name}, scalars)
    elif isinstance(type_, GraphQLScalarType) and type_.name in scalars:
        yield path


def document(kind: str, name: str, field: GraphQLField, given: dict[str, Any]) -> str:
    definitions = ", ".join(f"${a}: {field.args[a].type}" for a in given)
    arguments = ", ".join(f"{a}: ${a}" for a in given)
    selection = "" if is_leaf_type(get_named_type(field.type)) else "{ __typename }"
    return (
        f"{kind}{f'({definitions})' if definitions else ''} "
        f"{{ {name}{f'({arguments})' if arguments else ''} {selection} }}"
    )


def cases(
    values: Values, hostile: dict[str, Any] | None = None, scalars: frozenset[str] = TEXT
) -> Iterator[tuple[str, str, list[str], str, dict[str, Any]]]:
    """(root field, document, path of the value, its hostile kind, variables) for every
    value of ``scalars`` in every root field and every hostile value."""
    hostile = hostile or {**UNSTORABLE, **STORABLE}
    schema = build_schema()._schema
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        for name, field in sorted(root.fields.items()):
            base = {a: values.base(arg.type, a) for a, arg in field.args.items() if required(arg)}
            for arg_name, arg in field.args.items():
                for path in leaves(arg.type, [arg_name], frozenset(), scalars):
                    for label, value in hostile.items():
                        variables = dict(base)
                        variables[arg_name] = values.with_leaf(
                            base.get(arg_name), arg.type, arg_name, path[1:], value
                        )
                        yield name, document(kind, name, field, variables), path, label, variables


async def seed_ids(gql: GraphQLClient) -> dict[str, str]:
    found = await gql.data(
        """{ order(number: "100001") { id lines { id } postsalesActions { id } }
             roles { id name } users { id username }
             outboxMessages(first: 1) { edges { node { id } } } }"""
    )
    order = found["order"]
    actions = order["postsalesActions"]
    messages = found["outboxMessages"]["edges"]
    return {
        "orderId": order["id"],
        "id": order["id"],
        "lineId": order["lines"][0]["id"],
        "actionId": actions[0]["id"] if actions else order["id"],
        "roleId": next(r["id"] for r in found["roles"] if r["name"] == "CS Agent"),
        "userId": next(u["id"] for u in found["users"] if u["username"] == "agent"),
        "messageId": messages[0]["node"]["id"] if messages else order["id"],
    }


async def test_hostile_strings_in_every_text_input_of_every_root_field(
    db: Database, gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    admin = await gql.login("admin")
    integration = await integration_token(db)
    values = Values(await seed_ids(gql))
    problems: list[str] = []
    sent = 0
    tokens: dict[str, str] = {}
    everything = list(cases(values))
    fields = {name for name, *_ in everything}
    assert len(fields) >= 35, sorted(fields)

    async def send(name: str, query: str, variables: dict[str, Any]) -> tuple[str, Any]:
        nonlocal sent
        sent += 1
        token = tokens.get(name, admin)
        body = json.dumps({"query": query, "variables": variables}).encode()
        response = await client.post(
            "/graphql",
            content=body,
            headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        )
        codes = [e.get("extensions", {}).get("code") for e in response.json().get("errors") or []]
        if "FORBIDDEN" in codes and name not in tokens:  # a field for integrations
            tokens[name] = integration
            return await send(name, query, variables)
        if response.status_code != 200:
            problems.append(f"{name}: HTTP {response.status_code}")
        found = leaks(response.text)
        if found:
            problems.append(f"{name}: {found} in {response.text[:300]}")
        return response.text, response.json()

    async def run(cases: list[tuple[str, str, list[str], str, dict[str, Any]]]) -> None:
        for name, query, path, label, variables in cases:
            _, body = await send(name, query, variables)
            errors = body.get("errors") or []
            codes = {e.get("extensions", {}).get("code") for e in errors}
            where = f"{name} {'.'.join(path)} = {label}"
            if label in UNSTORABLE:
                fields = [e.get("extensions", {}).get("field") or [] for e in errors]
                # Named by its path (a string inside a JSON value: by a path below it).
                if codes != {"BAD_USER_INPUT"} or not any(f[: len(path)] == path for f in fields):
                    problems.append(f"{where}: {str(body)[:300]}")
            elif codes - TYPED_CODES:
                problems.append(f"{where}: {str(body)[:300]}")

    # First every unstorable string, which must change nothing at all; then the storable
    # ones, which may (a comment with a right-to-left mark is a comment).
    before = await fingerprint(db)
    await run([c for c in everything if c[3] in UNSTORABLE])
    changed = [t for t, digest in (await fingerprint(db)).items() if before.get(t) != digest]
    assert changed == [], f"unstorable text changed {changed}"
    await run([c for c in everything if c[3] not in UNSTORABLE])
    assert sent > 500
    assert problems == [], "\n".join(problems[:40])
