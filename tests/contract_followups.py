"""Contract cases of the follow-up operations and the subscription documents
(tests/test_contract.py runs them; subscriptions over WebSocket against a real server)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import GraphQLClient
from tests.contract_postsales import _delivered_line

Check = Callable[[dict[str, Any]], None]
Variables = Callable[[GraphQLClient], Awaitable[dict[str, Any]]]
ORDER = '{ order(number: "100001") { id } }'
ASSIGNEES = "query($o: ID!) { followUpAssignees(orderId: $o) { id username } }"
CREATE = """mutation($i: FollowUpCreateInput!) { followUpCreate(input: $i) {
  __typename ... on FollowUpChanged { followUp { id } } } }"""


async def order_id(gql: GraphQLClient) -> str:
    return str((await gql.data(ORDER))["order"]["id"])


def due(hours: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat()


async def assignee(gql: GraphQLClient, username: str) -> str:
    found = (await gql.data(ASSIGNEES, {"o": await order_id(gql)}))["followUpAssignees"]
    return next(u["id"] for u in found if u["username"] == username)


async def made(gql: GraphQLClient, assignee_id: str | None = None) -> str:
    """A new follow-up on order 100001, due in an hour; its id."""
    data = {"orderId": await order_id(gql), "dueAt": due(1), "note": "Call back"}
    if assignee_id:
        data["assigneeId"] = assignee_id
    result = (await gql.data(CREATE, {"i": data}))["followUpCreate"]
    assert result["__typename"] == "FollowUpChanged", result
    return str(result["followUp"]["id"])


async def follow_ups(gql: GraphQLClient) -> dict[str, Any]:
    await made(gql)
    return {"filter": {"assignedToMe": True}, "first": 20}


async def create(gql: GraphQLClient) -> dict[str, Any]:
    return {
        "orderId": await order_id(gql),
        "dueAt": due(24),
        "note": "Customer asked to be called about the refund.",
        "assigneeId": await assignee(gql, "agent"),
    }


async def one(gql: GraphQLClient) -> dict[str, Any]:
    return {"id": await made(gql), "note": "Spoke to the customer."}


async def reassign(gql: GraphQLClient) -> dict[str, Any]:
    fid = await made(gql, await assignee(gql, "agent"))
    return {"id": fid, "assigneeId": await assignee(gql, "supervisor"), "dueAt": due(2)}


async def assignees(gql: GraphQLClient) -> dict[str, Any]:
    return {"orderId": await order_id(gql)}


def step(name: str, status: str, username: str | None = None) -> Check:
    def check(data: dict[str, Any]) -> None:
        result = data[name]
        assert result["__typename"] == "FollowUpChanged", result
        f = result["followUp"]
        assert f["status"] == status
        if username:
            assert f["assignee"]["username"] == username
        assert f["order"]["history"][0]["kind"] == "FOLLOW_UP"

    return check


def _listed(data: dict[str, Any]) -> None:
    assert data["followUps"]["totalCount"] == 1
    node = data["followUps"]["edges"][0]["node"]
    assert node["assignee"]["username"] == "agent" and node["order"]["number"] == "100001"
    assert data["viewer"]["followUpsDue"] == 0


def _assignees(data: dict[str, Any]) -> None:
    names = [u["username"] for u in data["followUpAssignees"]]
    assert "supervisor" in names and "admin" not in names


async def comment(gql: GraphQLClient) -> None:
    """The change a subscription case waits for: a comment on order 100001."""
    q = """mutation($i: OrderCommentAddInput!) { orderCommentAdd(input: $i) { __typename } }"""
    await gql.data(q, {"i": {"orderId": await order_id(gql), "text": "Called the customer."}})


async def appeasement(gql: GraphQLClient) -> None:
    """The change the queue subscription waits for: an appeasement on a delivered line."""
    _, line_id = await _delivered_line(gql)
    m = """mutation($i: AppeasementCreateInput!) { appeasementCreate(input: $i) { __typename } }"""
    payload = {"lineId": line_id, "amount": "1.00", "reason": "GOODWILL"}
    assert (await gql.data(m, {"i": payload}))["appeasementCreate"]["__typename"] == (
        "AppeasementCreateSuccess"
    )


def _order_changed(data: dict[str, Any]) -> None:
    event = data["orderChanged"]
    assert event["number"] == "100001" and event["order"]["version"] == event["version"]


def _queue_changed(data: dict[str, Any]) -> None:
    event = data["postsalesQueueChanged"]
    assert event["orderNumber"] and event["version"] > 1


CASES: dict[str, tuple[str | None, Variables | dict[str, Any], Check]] = {
    "FollowUps": ("agent", follow_ups, _listed),
    "FollowUpAssignees": ("supervisor", assignees, _assignees),
    "FollowUpCreate": ("supervisor", create, step("followUpCreate", "OPEN", "agent")),
    "FollowUpComplete": ("agent", one, step("followUpComplete", "DONE")),
    "FollowUpCancel": ("agent", one, step("followUpCancel", "CANCELLED")),
    "FollowUpReassign": ("supervisor", reassign, step("followUpReassign", "OPEN", "supervisor")),
    "OrderChanged": ("supervisor", {"number": "100001"}, _order_changed),
    "PostsalesQueueChanged": ("supervisor", {"filter": {}}, _queue_changed),
}
# What a subscription case waits for, done by the same user over HTTP.
TRIGGERS: dict[str, Callable[[GraphQLClient], Awaitable[None]]] = {
    "OrderChanged": comment,
    "PostsalesQueueChanged": appeasement,
}
