"""Follow-ups: customers to contact, by whom and by when; in the order's history, on the
viewer's badge, in the viewer's time zone, within the viewer's stores."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from core.db import Database
from models import FollowUp, HistoryEntry, Order, Store
from models.enums import HistoryKind
from tests.conftest import GraphQLClient

FIELDS = """id status note dueAt overdue closedAt
  assignee { username } createdBy { username } closedBy { username }
  order { number version history(last: 1) { kind message details { followUpId data } } }"""
RESULT = f"""__typename ... on FollowUpChanged {{ followUp {{ {FIELDS} }} }}
  ... on UserError {{ code message field }}
  ... on IllegalTransition {{ status }}"""
CREATE = f"mutation($i: FollowUpCreateInput!) {{ followUpCreate(input: $i) {{ {RESULT} }} }}"
COMPLETE = f"mutation($i: FollowUpCloseInput!) {{ followUpComplete(input: $i) {{ {RESULT} }} }}"
CANCEL = f"mutation($i: FollowUpCloseInput!) {{ followUpCancel(input: $i) {{ {RESULT} }} }}"
REASSIGN = f"mutation($i: FollowUpReassignInput!) {{ followUpReassign(input: $i) {{ {RESULT} }} }}"
LIST = """query($f: FollowUpFilter) { viewer { followUpsDue }
  followUps(filter: $f, first: 50) { totalCount edges { node {
    id note dueAt overdue assignee { username } order { number store { code } } } } } }"""


def later(**delta: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).isoformat()


async def order_of(db: Database, store: str) -> Order:
    async with db.read() as s:
        found = (
            await s.scalars(select(Order).join(Store).where(Store.code == store).order_by(Order.id))
        ).first()
    assert found is not None
    return found


async def gid(gql: GraphQLClient, number: str) -> dict[str, Any]:
    q = "query($n: String!) { order(number: $n) { id version } }"
    return (await gql.data(q, {"n": number}))["order"]


async def user_id(gql: GraphQLClient, username: str) -> str:
    """A user's global id, as admin sees it."""
    token = gql.token
    await gql.login("admin")
    users = (await gql.data("{ users { id username } }"))["users"]
    gql.token = token
    return next(u["id"] for u in users if u["username"] == username)


async def create(gql: GraphQLClient, order_id: str, **fields: Any) -> dict[str, Any]:
    data = {"orderId": order_id, "dueAt": later(hours=2), "note": "Call about the parcel"}
    data.update(fields)
    return (await gql.data(CREATE, {"i": data}))["followUpCreate"]


async def count(db: Database) -> int:
    async with db.read() as s:
        return int(await s.scalar(select(func.count()).select_from(FollowUp)) or 0)


async def test_an_agent_creates_and_completes_their_own(db: Database, gql: GraphQLClient) -> None:
    order = await order_of(db, "UK")
    await gql.login("agent")
    ref = await gid(gql, order.number)
    made = await create(gql, ref["id"], expectedVersion=ref["version"])
    assert made["__typename"] == "FollowUpChanged", made
    f = made["followUp"]
    assert f["status"] == "OPEN" and f["assignee"]["username"] == "agent"
    assert f["order"]["version"] == ref["version"] + 1
    entry = f["order"]["history"][0]
    assert entry["kind"] == "FOLLOW_UP" and entry["details"]["followUpId"] == f["id"]
    assert entry["details"]["data"]["step"] == "CREATED"

    done = (await gql.data(COMPLETE, {"i": {"id": f["id"], "note": "Spoke to her"}}))[
        "followUpComplete"
    ]
    assert done["followUp"]["status"] == "DONE"
    assert done["followUp"]["closedBy"]["username"] == "agent"
    assert done["followUp"]["order"]["history"][0]["details"]["data"]["step"] == "DONE"
    # Once done it cannot change again.
    again = (await gql.data(CANCEL, {"i": {"id": f["id"]}}))["followUpCancel"]
    assert again["__typename"] == "IllegalTransition" and again["status"] == "DONE"


async def test_bad_input_is_a_typed_error_and_changes_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    order = await order_of(db, "UK")
    await gql.login("agent")
    ref = await gid(gql, order.number)
    before = await count(db)
    past = await create(gql, ref["id"], dueAt=later(days=-1))
    assert past["__typename"] == "ValidationFailed" and past["field"] == ["input", "dueAt"]
    empty = await create(gql, ref["id"], note="  ")
    assert empty["__typename"] == "CommentInvalid"
    stale = await create(gql, ref["id"], expectedVersion=ref["version"] - 1)
    assert stale["__typename"] == "VersionConflict"
    # An agent may not give work to the supervisor, nor to a user outside the store.
    boss = await user_id(gql, "supervisor")
    refused = await create(gql, ref["id"], assigneeId=boss)
    assert refused["__typename"] == "NotAllowed"
    assert await count(db) == before
    assert (await gid(gql, order.number))["version"] == ref["version"]


async def test_other_stores_look_missing(db: Database, gql: GraphQLClient) -> None:
    us = await order_of(db, "US")
    await gql.login("admin")
    ref = await gid(gql, us.number)
    made = await create(gql, ref["id"])
    assert made["__typename"] == "FollowUpChanged"
    await gql.login("agent")  # UK and DE only
    assert (await create(gql, ref["id"]))["__typename"] == "NotFound"
    listed = (await gql.data(LIST, {"f": {"storeCodes": ["US"]}}))["followUps"]
    assert listed["totalCount"] == 0
    gone = (await gql.data(COMPLETE, {"i": {"id": made["followUp"]["id"]}}))["followUpComplete"]
    assert gone["__typename"] == "NotFound"


async def test_supervisors_reassign_and_agents_do_not(db: Database, gql: GraphQLClient) -> None:
    order = await order_of(db, "DE")
    agent = await user_id(gql, "agent")
    await gql.login("supervisor")
    ref = await gid(gql, order.number)
    made = await create(gql, ref["id"], assigneeId=agent)
    assert made["followUp"]["assignee"]["username"] == "agent"
    fid = made["followUp"]["id"]

    await gql.login("agent")
    supervisor = await user_id(gql, "supervisor")
    refused = (await gql.data(REASSIGN, {"i": {"id": fid, "assigneeId": supervisor}}))[
        "followUpReassign"
    ]
    assert refused["__typename"] == "NotAllowed"
    # The agent did not create it: they may complete it, not cancel it.
    assert (await gql.data(CANCEL, {"i": {"id": fid}}))["followUpCancel"][
        "__typename"
    ] == "NotAllowed"

    await gql.login("supervisor")
    moved = (
        await gql.data(REASSIGN, {"i": {"id": fid, "assigneeId": supervisor, "note": "I'll call"}})
    )["followUpReassign"]
    assert moved["followUp"]["assignee"]["username"] == "supervisor"
    data = moved["followUp"]["order"]["history"][0]["details"]["data"]
    assert (data["step"], data["previousAssignee"], data["assignee"]) == (
        "REASSIGNED",
        "agent",
        "supervisor",
    )
    cancelled = (await gql.data(CANCEL, {"i": {"id": fid}}))["followUpCancel"]
    assert cancelled["followUp"]["status"] == "CANCELLED"


async def test_the_list_is_sorted_by_due_time_in_the_viewers_zone(
    db: Database, gql: GraphQLClient
) -> None:
    uk, de = await order_of(db, "UK"), await order_of(db, "DE")
    await gql.login("supervisor")  # Europe/Berlin
    uk_ref, de_ref = await gid(gql, uk.number), await gid(gql, de.number)
    agent = await user_id(gql, "agent")
    soon = await create(gql, de_ref["id"], assigneeId=agent, dueAt=later(hours=1), note="soon")
    late = await create(gql, uk_ref["id"], assigneeId=agent, dueAt=later(days=2), note="late")
    mine = await create(gql, uk_ref["id"], dueAt=later(hours=3), note="mine")
    assert all(x["__typename"] == "FollowUpChanged" for x in (soon, late, mine))
    # Make the first one overdue (time passes).
    async with db.write() as s:
        await s.execute(
            update(FollowUp)
            .where(FollowUp.note == "soon")
            .values(due_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
        )
        await s.commit()

    listed = await gql.data(LIST)
    notes = [e["node"]["note"] for e in listed["followUps"]["edges"]]
    assert notes == ["soon", "mine", "late"]
    shown = dt.datetime.fromisoformat(listed["followUps"]["edges"][0]["node"]["dueAt"])
    assert shown.utcoffset() == shown.astimezone(ZoneInfo("Europe/Berlin")).utcoffset()
    assert listed["viewer"]["followUpsDue"] == 0  # the overdue one is the agent's

    await gql.login("agent")  # Europe/London
    mine_only = await gql.data(LIST, {"f": {"assignedToMe": True}})
    assert [e["node"]["note"] for e in mine_only["followUps"]["edges"]] == ["soon", "late"]
    assert mine_only["viewer"]["followUpsDue"] == 1
    overdue = await gql.data(LIST, {"f": {"overdue": True}})
    assert [e["node"]["note"] for e in overdue["followUps"]["edges"]] == ["soon"]
    assert overdue["followUps"]["edges"][0]["node"]["overdue"] is True
    shown = dt.datetime.fromisoformat(overdue["followUps"]["edges"][0]["node"]["dueAt"])
    assert shown.utcoffset() == shown.astimezone(ZoneInfo("Europe/London")).utcoffset()


async def test_racing_steps_change_a_follow_up_once(db: Database, client: Any) -> None:
    order = await order_of(db, "UK")
    agent, supervisor = GraphQLClient(client), GraphQLClient(client)
    await agent.login("agent")
    await supervisor.login("supervisor")
    ref = await gid(agent, order.number)
    fid = (await create(agent, ref["id"]))["followUp"]["id"]
    done, cancelled = await asyncio.gather(
        agent.data(COMPLETE, {"i": {"id": fid}}),
        supervisor.data(CANCEL, {"i": {"id": fid}}),
    )
    kinds = sorted(
        [done["followUpComplete"]["__typename"], cancelled["followUpCancel"]["__typename"]]
    )
    assert kinds == ["FollowUpChanged", "IllegalTransition"]
    async with db.read() as s:
        steps = await s.scalar(
            select(func.count())
            .select_from(HistoryEntry)
            .where(HistoryEntry.order_id == order.id, HistoryEntry.kind == HistoryKind.FOLLOW_UP)
        )
    assert steps == 2  # created, then one of the two
