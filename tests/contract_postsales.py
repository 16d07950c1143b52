"""Contract cases of the appeasement, return, reason, return-source and settings operations
(tests/test_contract.py runs them) on the seeded data: variables are found the way the SPA
finds them, from the order queue and the post-sales queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import GraphQLClient

Variables = Callable[[GraphQLClient], Awaitable[dict[str, Any]]]
Check = Callable[[dict[str, Any]], None]

DELIVERED = """{ orders(filter: {status: [DELIVERED]}, first: 50) { edges { node {
  id lines { id status refundableAmount { amount } } } } } }"""
QUEUE = """query($kind: PostsalesActionKind, $status: [PostsalesActionStatus!]) {
  postsalesActions(filter: {kind: $kind, status: $status}, first: 1) { edges { node { id } } } }"""


async def _delivered_line(gql: GraphQLClient) -> tuple[str, str]:
    """A seeded delivered order and one of its delivered lines with all its net refundable."""
    for edge in (await gql.data(DELIVERED))["orders"]["edges"]:
        for line in edge["node"]["lines"]:
            if line["status"] == "DELIVERED" and float(line["refundableAmount"]["amount"]) > 10:
                return edge["node"]["id"], line["id"]
    raise AssertionError("no seeded delivered line")


async def _queued(gql: GraphQLClient, kind: str) -> dict[str, Any]:
    found = await gql.data(QUEUE, {"kind": kind, "status": ["REQUESTED"]})
    edges = found["postsalesActions"]["edges"]
    assert edges, f"no seeded {kind} is REQUESTED"
    return {"actionId": edges[0]["node"]["id"]}


async def appeasement_create(gql: GraphQLClient) -> dict[str, Any]:
    _, line = await _delivered_line(gql)
    return {"lineId": line, "amount": "5.00", "reason": "LATE_DELIVERY", "comment": "Late."}


async def return_create(gql: GraphQLClient) -> dict[str, Any]:
    order, line = await _delivered_line(gql)
    return {
        "orderId": order,
        "lines": [{"lineId": line, "reason": "TOO_SMALL"}],
        "comment": "Customer needs a bigger size.",
    }


async def return_sources(gql: GraphQLClient) -> dict[str, Any]:
    order, _ = await _delivered_line(gql)
    return {"orderId": order}


async def appeasement_cancel(gql: GraphQLClient) -> dict[str, Any]:
    return await _queued(gql, "APPEASEMENT")


async def return_step(gql: GraphQLClient) -> dict[str, Any]:
    return await _queued(gql, "RETURN")


def _succeeded(field: str, check: Callable[[dict[str, Any]], bool]) -> Check:
    def run(data: dict[str, Any]) -> None:
        result = data[field]
        assert result["__typename"].endswith("Success"), result
        assert check(result), result

    return run


def _sources(data: dict[str, Any]) -> None:
    assert data["settings"]["postsalesSourcingStrategyEnabled"] is False
    shipped_from = {line["source"]["code"] for line in data["order"]["lines"]}
    assert {s["code"] for s in data["returnSources"]} <= shipped_from


def _reasons(data: dict[str, Any]) -> None:
    assert data["postsalesReasons"][0] == {"code": "TOO_SMALL", "label": "Too small"}


CASES: dict[str, tuple[str | None, Variables, Check]] = {
    "AppeasementCreate": (
        "agent",
        appeasement_create,
        _succeeded("appeasementCreate", lambda r: r["action"]["status"] == "REQUESTED"),
    ),
    "AppeasementCancel": (
        "supervisor",
        appeasement_cancel,
        _succeeded("appeasementCancel", lambda r: r["action"]["status"] == "CANCELLED"),
    ),
    "ReturnCreate": (
        "agent",
        return_create,
        _succeeded("returnCreate", lambda r: r["action"]["status"] == "REQUESTED"),
    ),
    "ReturnApprove": (
        "supervisor",
        return_step,
        _succeeded("returnApprove", lambda r: r["action"]["status"] == "APPROVED"),
    ),
    "ReturnCancel": (
        "supervisor",
        return_step,
        _succeeded("returnCancel", lambda r: r["action"]["status"] == "CANCELLED"),
    ),
    "ReturnSources": ("agent", return_sources, _sources),
    "PostsalesReasons": ("agent", lambda gql: _constant({"kind": "RETURN"}), _reasons),
    "SettingsUpdate": (
        "admin",
        lambda gql: _constant({"sourcingStrategyEnabled": True}),
        _succeeded(
            "settingsUpdate", lambda r: r["settings"]["postsalesSourcingStrategyEnabled"] is True
        ),
    ),
}


async def _constant(variables: dict[str, Any]) -> dict[str, Any]:
    return variables
