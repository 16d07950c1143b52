"""Queue ageing, over HTTP: per-store service targets in the settings, each queued action's
age, due time (viewer's time zone) and breach, and the post-sales queue filtered on them,
oldest first, with keyset pages that neither repeat nor skip."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update

from core.db import Database
from models import PostsalesAction
from models.base import utcnow
from schema.ids import parse
from tests.conftest import GraphQLClient
from tests.postsales import RETURN, made_order

SETTINGS = "{ settings { postsalesServiceTargets { storeCode kind hours } } }"
UPDATE = """mutation($targets: [ServiceTargetInput!]) {
  settingsUpdate(input: {postsalesServiceTargets: $targets}) { __typename
  ... on SettingsUpdateSuccess { settings { postsalesServiceTargets { storeCode kind hours } } }
  ... on UserError { code message field } } }"""
QUEUE = """query($filter: PostsalesActionFilter, $after: String) {
  postsalesActions(filter: $filter, first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id createdAt age dueAt breached } } } }"""


async def open_return(db: Database, gql: GraphQLClient, store: str, hours_ago: float) -> str:
    """A return REQUESTED ``hours_ago`` hours ago, in ``store``; its global id."""
    made = await made_order(db, lines=1, store=store)
    payload = {
        "orderId": made.gid,
        "lines": [{"lineId": made.lines[1], "reason": "TOO_SMALL"}],
        "comment": "Too small.",
    }
    done = (await gql.data(RETURN, {"input": payload}))["returnCreate"]
    action_id: str = done["action"]["id"]
    parsed = parse(action_id)
    assert parsed is not None
    async with db.write() as s:
        await s.execute(
            update(PostsalesAction)
            .where(PostsalesAction.id == parsed[1])
            .values(created_at=utcnow() - dt.timedelta(hours=hours_ago))
        )
        await s.commit()
    return action_id


async def walk(gql: GraphQLClient, filter: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node of the queue under ``filter``, page after page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql.data(QUEUE, {"filter": filter, "after": after}))["postsalesActions"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_returns_age_against_their_stores_target(db: Database, gql: GraphQLClient) -> None:
    await gql.login("admin")
    defaults = (await gql.data(SETTINGS))["settings"]["postsalesServiceTargets"]
    assert defaults == [
        {"storeCode": None, "kind": "RETURN_APPROVAL", "hours": 48},
        {"storeCode": None, "kind": "APPEASEMENT_APPROVAL", "hours": 24},
    ]
    old_uk = await open_return(db, gql, "UK", 50)
    old_de = await open_return(db, gql, "DE", 60)
    fresh = await open_return(db, gql, "UK", 1)
    mine = {old_uk, old_de, fresh}

    everything = await walk(gql, {"kind": "RETURN", "status": ["REQUESTED"]})
    by_id = {n["id"]: n for n in everything if n["id"] in mine}
    assert by_id[old_uk]["breached"] is True and by_id[fresh]["breached"] is False
    assert 50 * 3600 - 60 <= by_id[old_uk]["age"] <= 50 * 3600 + 60
    created = dt.datetime.fromisoformat(by_id[old_uk]["createdAt"])
    due = dt.datetime.fromisoformat(by_id[old_uk]["dueAt"])
    assert due - created == dt.timedelta(hours=48)
    assert due.utcoffset() == created.utcoffset()  # the viewer's zone (Europe/London)
    # Oldest first, on the whole queue.
    ats = [dt.datetime.fromisoformat(n["createdAt"]) for n in everything]
    assert ats == sorted(ats)
    assert len({n["id"] for n in everything}) == len(everything)

    breached = await walk(gql, {"kind": "RETURN", "breached": True})
    assert {old_uk, old_de} <= {n["id"] for n in breached} and fresh not in {
        n["id"] for n in breached
    }
    assert all(n["breached"] for n in breached)
    on_time = await walk(gql, {"kind": "RETURN", "breached": False})
    assert fresh in {n["id"] for n in on_time}
    assert not any(n["breached"] for n in on_time)
    soon = (utcnow() + dt.timedelta(hours=48)).isoformat()
    due_soon = {n["id"] for n in await walk(gql, {"kind": "RETURN", "dueBefore": soon})}
    assert mine <= due_soon

    # The UK gets 100 hours: its 50-hour-old return is on time again, the DE one is not.
    targets = [
        {"kind": "RETURN_APPROVAL", "hours": 48},
        {"storeCode": "uk", "kind": "RETURN_APPROVAL", "hours": 100},
    ]
    done = (await gql.data(UPDATE, {"targets": targets}))["settingsUpdate"]
    assert done["settings"]["postsalesServiceTargets"] == [
        {"storeCode": None, "kind": "RETURN_APPROVAL", "hours": 48},
        {"storeCode": "UK", "kind": "RETURN_APPROVAL", "hours": 100},
    ]
    late = {n["id"] for n in await walk(gql, {"kind": "RETURN", "breached": True})}
    assert old_de in late and old_uk not in late
    node = next(n for n in await walk(gql, {"storeCodes": ["UK"]}) if n["id"] == old_uk)
    assert node["breached"] is False
    # Appeasements no longer have a target: none is ever due.
    assert await walk(gql, {"kind": "APPEASEMENT", "breached": True}) == []


async def test_bad_targets_and_filters_are_refused(db: Database, gql: GraphQLClient) -> None:
    await gql.login("admin")
    for targets, typename in (
        ([{"storeCode": "XX", "kind": "RETURN_APPROVAL", "hours": 5}], "NotFound"),
        ([{"kind": "RETURN_APPROVAL", "hours": 0}], "ValidationFailed"),
        (
            [{"kind": "RETURN_APPROVAL", "hours": 5}, {"kind": "RETURN_APPROVAL", "hours": 6}],
            "ValidationFailed",
        ),
    ):
        refused = (await gql.data(UPDATE, {"targets": targets}))["settingsUpdate"]
        assert refused["__typename"] == typename, refused
    assert len((await gql.data(SETTINGS))["settings"]["postsalesServiceTargets"]) == 2
    body = await gql.execute(QUEUE, {"filter": {"dueBefore": "2026-11-30T10:00:00"}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
