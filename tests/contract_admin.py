"""Contract cases of the administration operations of the admin UI (users, roles, settings;
tests/test_contract.py runs them), as the administrator of the demo seed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import GraphQLClient

Check = Callable[[dict[str, Any]], None]
IDS = "{ roles { id name } users { id username } }"


async def _ids(gql: GraphQLClient) -> tuple[dict[str, str], dict[str, str]]:
    data = await gql.data(IDS)
    return (
        {r["name"]: r["id"] for r in data["roles"]},
        {u["username"]: u["id"] for u in data["users"]},
    )


async def user_create(gql: GraphQLClient) -> dict[str, Any]:
    roles, _ = await _ids(gql)
    return {
        "input": {
            "username": "casey",
            "displayName": "Casey Agent",
            "password": "casey-password",
            "timeZone": "Europe/Berlin",
            "roleId": roles["CS Agent"],
        }
    }


async def user_update(gql: GraphQLClient) -> dict[str, Any]:
    _, users = await _ids(gql)
    return {"input": {"userId": users["agent"], "timeZone": "America/New_York"}}


async def role_create(gql: GraphQLClient) -> dict[str, Any]:
    return {
        "input": {
            "name": "CS Viewer",
            "level": 3,
            "permissions": ["ORDER_VIEW", "COMMENT_ADD"],
            "storeAccess": "SPECIFIC",
            "storeCodes": ["FR"],
        }
    }


async def role_update(gql: GraphQLClient) -> dict[str, Any]:
    roles, _ = await _ids(gql)
    return {"input": {"roleId": roles["CS Agent"], "storeCodes": ["UK", "DE", "FR"]}}


async def nothing(gql: GraphQLClient) -> dict[str, Any]:
    return {}


def _users(data: dict[str, Any]) -> None:
    assert {"admin", "supervisor", "agent"} <= {u["username"] for u in data["users"]}
    assert [r["name"] for r in data["roles"]][:3] == ["Administrator", "CS Supervisor", "CS Agent"]


def _roles(data: dict[str, Any]) -> None:
    agent = next(r for r in data["roles"] if r["name"] == "CS Agent")
    assert agent["storeAccess"] == "SPECIFIC" and agent["userCount"] >= 1
    assert {s["code"] for s in data["stores"]} == {"UK", "DE", "US", "FR"}


def _settings(data: dict[str, Any]) -> None:
    assert data["settings"]["postsalesSourcingStrategyEnabled"] is False, data


def _succeeded(field: str, check: Callable[[dict[str, Any]], bool]) -> Check:
    def run(data: dict[str, Any]) -> None:
        result = data[field]
        assert result["__typename"].endswith("Success"), result
        assert check(result), result

    return run


CASES: dict[str, tuple[str | None, Callable[[GraphQLClient], Awaitable[dict[str, Any]]], Check]]
CASES = {
    "Users": ("admin", nothing, _users),
    "Roles": ("admin", nothing, _roles),
    "Settings": ("agent", nothing, _settings),
    "UserCreate": (
        "admin",
        user_create,
        _succeeded("userCreate", lambda r: r["user"]["role"]["name"] == "CS Agent"),
    ),
    "UserUpdate": (
        "admin",
        user_update,
        _succeeded("userUpdate", lambda r: r["user"]["timeZone"] == "America/New_York"),
    ),
    "RoleCreate": (
        "admin",
        role_create,
        _succeeded("roleCreate", lambda r: [s["code"] for s in r["role"]["stores"]] == ["FR"]),
    ),
    "RoleUpdate": (
        "admin",
        role_update,
        _succeeded("roleUpdate", lambda r: len(r["role"]["stores"]) == 3),
    ),
}
