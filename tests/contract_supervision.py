"""Contract cases of the supervision operations (tests/test_contract.py runs them) on the
seeded data: an appeasement above the agent's limit is made the way the screens make it (the
administrator sets the CS Agent role's limit, the agent appeases), then decided."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import GraphQLClient
from tests.contract_postsales import appeasement_create

Variables = Callable[[GraphQLClient], Awaitable[dict[str, Any]]]
Check = Callable[[dict[str, Any]], None]

ROLES = "{ roles { id name } }"
LIMIT = """mutation($id: ID!) { roleUpdate(input: {roleId: $id, appeasementLimits: [
  {currency: "GBP", perAction: "1.00"}, {currency: "EUR", perAction: "1.00"}]}) { __typename } }"""
APPEASE = """mutation($lineId: ID!, $amount: Decimal!, $reason: String!, $comment: String) {
  appeasementCreate(input: {lineId: $lineId, amount: $amount, reason: $reason,
  comment: $comment}) { __typename ... on AppeasementCreateSuccess { action { id status } } } }"""


async def _agent_role(gql: GraphQLClient) -> str:
    roles = (await gql.data(ROLES))["roles"]
    return next(r["id"] for r in roles if r["name"] == "CS Agent")


async def awaiting(gql: GraphQLClient, then: str = "supervisor") -> dict[str, Any]:
    """An appeasement AWAITING_APPROVAL created by the agent; signs in as ``then``."""
    await gql.login("admin")
    assert (await gql.data(LIMIT, {"id": await _agent_role(gql)}))["roleUpdate"][
        "__typename"
    ] == "RoleUpdateSuccess"
    await gql.login("agent")
    made = (await gql.data(APPEASE, await appeasement_create(gql)))["appeasementCreate"]
    assert made["action"]["status"] == "AWAITING_APPROVAL", made
    await gql.login(then)
    return {"actionId": made["action"]["id"], "comment": "Checked with the customer."}


async def approval_queue(gql: GraphQLClient) -> dict[str, Any]:
    await awaiting(gql)
    return {"first": 20}


async def role_limits_update(gql: GraphQLClient) -> dict[str, Any]:
    limits = [{"currency": "GBP", "perAction": "50.00", "perDay": "200.00"}]
    return {"roleId": await _agent_role(gql), "limits": limits}


def _succeeded(field: str, check: Callable[[dict[str, Any]], bool]) -> Check:
    def run(data: dict[str, Any]) -> None:
        result = data[field]
        assert result["__typename"].endswith("Success"), result
        assert check(result), result

    return run


def _queue(data: dict[str, Any]) -> None:
    edges = data["postsalesActions"]["edges"]
    assert edges and all(e["node"]["status"] == "AWAITING_APPROVAL" for e in edges), edges
    assert edges[0]["node"]["approvalReason"] == "PER_ACTION_LIMIT"


def _limits(data: dict[str, Any]) -> None:
    agent = next(r for r in data["roles"] if r["name"] == "CS Agent")
    assert agent["appeasementLimits"] == [], agent


async def _nothing(gql: GraphQLClient) -> dict[str, Any]:
    return {}


async def _targets(gql: GraphQLClient) -> dict[str, Any]:
    return {"targets": [{"kind": "RETURN_APPROVAL", "hours": 24}, {"storeCode": "DE",
            "kind": "RETURN_APPROVAL", "hours": 72}]}  # fmt: skip


CASES: dict[str, tuple[str | None, Variables, Check]] = {
    "ApprovalQueue": ("supervisor", approval_queue, _queue),
    "AppeasementApprove": (
        "supervisor",
        awaiting,
        _succeeded("appeasementApprove", lambda r: r["action"]["status"] == "REQUESTED"),
    ),
    "AppeasementReject": (
        "supervisor",
        awaiting,
        _succeeded("appeasementReject", lambda r: r["action"]["status"] == "REJECTED"),
    ),
    "RoleLimits": ("admin", _nothing, _limits),
    "RoleLimitsUpdate": (
        "admin",
        role_limits_update,
        _succeeded(
            "roleUpdate",
            lambda r: r["role"]["appeasementLimits"][0]["perDay"]["amount"] == "200.00",
        ),
    ),
    "ServiceTargetsUpdate": (
        "admin",
        _targets,
        _succeeded("settingsUpdate", lambda r: len(r["settings"]["postsalesServiceTargets"]) == 2),
    ),
}
