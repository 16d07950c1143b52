"""The frontend contract stays true: the SDL matches the code, and every operation of
frontend-contract/operations validates against the schema and runs on seeded data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, OperationType, parse, validate

from core.db import Database
from schema import build_schema
from schema.schema import export_sdl
from tests import (
    contract_actions,
    contract_admin,
    contract_followups,
    contract_lifecycle,
    contract_outbox,
    contract_postsales,
    contract_supervision,
)
from tests.conftest import GraphQLClient
from tests.live_helpers import Live, Server

CONTRACT = Path(__file__).parents[1] / "frontend-contract"
OPERATIONS = sorted((CONTRACT / "operations").glob("*.graphql"))


def test_schema_graphql_is_generated_from_the_code() -> None:
    assert (CONTRACT / "schema.graphql").read_text() == export_sdl(), (
        "frontend-contract/schema.graphql is stale: run `make schema`"
    )


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_operation_is_valid_against_the_schema(path: Path) -> None:
    errors = validate(build_schema()._schema, parse(path.read_text()))
    assert errors == []


def _edges(name: str) -> Callable[[dict[str, Any]], None]:
    def check(data: dict[str, Any]) -> None:
        assert data[name]["edges"], data
        assert data[name]["totalCount"] >= len(data[name]["edges"])

    return check


def _viewer(data: dict[str, Any]) -> None:
    assert data["viewer"]["username"] == "agent"
    assert {s["code"] for s in data["viewer"]["stores"]} == {"UK", "DE"}


def _login(data: dict[str, Any]) -> None:
    assert data["login"]["__typename"] == "LoginSuccess"
    assert data["login"]["viewer"]["username"] == "supervisor"


def _detail(data: dict[str, Any]) -> None:
    order = data["order"]
    assert order["number"] == "100001"
    assert order["lines"] and order["history"]


def _search(data: dict[str, Any]) -> None:
    assert [e["node"]["number"] for e in data["orders"]["edges"]] == ["100001"]


def _commented(data: dict[str, Any]) -> None:
    result = data["orderCommentAdd"]
    assert result["__typename"] == "OrderCommentAddSuccess", result
    entry = result["order"]["history"][-1]
    assert entry["message"] == "Customer asked for a call back."
    assert entry["details"] == {"commentKind": "COMMUNICATION", "ticketReference": "ZD-1042"}


# operation name → (who runs it, variables, what the result must show); a variable given as
# ORDER_ID is replaced by the id of order 100001.
ORDER_ID = "<id of order 100001>"
# Variables may also be an async function of the signed-in client that finds them.
Variables = dict[str, Any] | contract_actions.Variables
CASES: dict[str, tuple[str | None, Variables, Callable[[dict[str, Any]], None]]] = {
    "Login": (None, {"username": "supervisor", "password": "supervisor"}, _login),
    "Logout": ("agent", {}, lambda d: None if d["logout"]["ok"] else pytest.fail("not ok")),
    "Viewer": ("agent", {}, _viewer),
    "OrderQueue": ("agent", {"first": 25}, _edges("orders")),
    "OrderSearch": ("supervisor", {"filter": {"reference": "100001"}}, _search),
    "OrderDetail": ("supervisor", {"number": "100001"}, _detail),
    "OrderCommentAdd": (
        "agent",
        {
            "orderId": ORDER_ID,
            "text": "Customer asked for a call back.",
            "kind": "COMMUNICATION",
            "ticketReference": "ZD-1042",
        },
        _commented,
    ),
    "PostsalesQueue": (
        "supervisor",
        {"filter": {"kind": "RETURN", "status": ["REQUESTED"]}, "first": 20},
        _edges("postsalesActions"),
    ),
}
CASES.update(contract_actions.CASES)
CASES.update(contract_postsales.CASES)
CASES.update(contract_outbox.CASES)
CASES.update(contract_admin.CASES)
CASES.update(contract_lifecycle.CASES)
CASES.update(contract_followups.CASES)
CASES.update(contract_supervision.CASES)


def test_every_operation_has_a_case() -> None:
    assert {p.stem for p in OPERATIONS} == set(CASES)


def is_subscription(name: str) -> bool:
    document = parse((CONTRACT / "operations" / f"{name}.graphql").read_text())
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation is OperationType.SUBSCRIPTION
        for d in document.definitions
    )


@pytest.mark.parametrize("name", sorted(CASES))
async def test_operation_runs_on_seeded_data(db: Database, gql: GraphQLClient, name: str) -> None:
    user, variables, check = CASES[name]
    if is_subscription(name):
        await _subscription_runs(db, name)
        return
    if user == "integration":  # a machine client: an API token, no password
        from tests.test_integrations import integration_token

        gql.token = await integration_token(db)
    elif user:
        await gql.login(user)
    if callable(variables):
        variables = await variables(gql)
    if ORDER_ID in variables.values():
        q = '{ order(number: "100001") { id } }'
        order_id = (await gql.data(q))["order"]["id"]
        variables = {k: order_id if v == ORDER_ID else v for k, v in variables.items()}
    body = await gql.execute((CONTRACT / "operations" / f"{name}.graphql").read_text(), variables)
    assert not body.get("errors"), body["errors"]
    check(body["data"])


async def _subscription_runs(db: Database, name: str) -> None:
    """A subscription document over WebSocket against a real server on the seeded database:
    subscribed, then a change made over HTTP (``contract_followups.TRIGGERS``) arrives."""
    user, variables, check = CASES[name]
    assert user is not None and isinstance(variables, dict)
    server = Server(db.engine.url.render_as_string(hide_password=False), {})
    try:
        await server.ready()
        gql, http = await server.login(user)
        try:
            live = await Live.open(server, gql.token)
            assert await live.acked()
            query = (CONTRACT / "operations" / f"{name}.graphql").read_text()
            sid = await live.subscribe(query, variables)
            await contract_followups.TRIGGERS[name](gql)
            event = await live.receive(2.0)
            assert event["id"] == sid and event["type"] == "next", event
            assert not event["payload"].get("errors"), event
            check(event["payload"]["data"])
            await live.close()
        finally:
            await http.aclose()
    finally:
        server.stop()
