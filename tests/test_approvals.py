"""Appeasement limits and four-eyes approval, over HTTP: an appeasement above its creator's
limit waits AWAITING_APPROVAL with its amount reserved and nothing sent to the payment system,
until another user with APPEASEMENT_APPROVE approves (the normal flow) or rejects it (the
amount is refundable again); limits are managed with the roles, under the same hierarchy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from core.db import Database
from csdesk.seed_data import CS_PERMISSIONS
from models import HistoryEntry, Order, OutboxMessage, PostsalesAction, Refund, Role
from models.enums import ActionStatus, RefundStatus
from resolvers.errors import RefundNotOpen
from resolvers.payments import confirm_refund
from schema.ids import encode as encode_id
from tests.conftest import GraphQLClient
from tests.postsales import Made, made_order, rows, snapshot

ACTION = """id status amount { amount } approvalReason decidedAt decisionComment
  decidedBy { username } createdBy { username }"""
LINES = "lines { number refundableAmount { amount } }"
APPEASE = f"""mutation($input: AppeasementCreateInput!) {{ appeasementCreate(input: $input) {{
  __typename
  ... on AppeasementCreateSuccess {{ dryRun needsApproval approvalReason action {{ {ACTION} }}
    order {{ {LINES} }} refund {{ net {{ amount }} }} }}
  ... on UserError {{ code message field }} }} }}"""
SHIPPING = """mutation($input: ShippingAppeasementCreateInput!) {
  shippingAppeasementCreate(input: $input) { __typename
  ... on ShippingAppeasementCreateSuccess { dryRun needsApproval approvalReason
    action { id status } }
  ... on UserError { code message field } } }"""
DECIDE = """mutation($input: AppeasementDecisionInput!) {{ {name}(input: $input) {{ __typename
  ... on {success} {{ action {{ {action} }} order {{ {lines} }} }}
  ... on IllegalTransition {{ status }}
  ... on UserError {{ code message field }} }} }}"""
APPROVE = DECIDE.format(
    name="appeasementApprove", success="AppeasementApproveSuccess", action=ACTION, lines=LINES
)
REJECT = DECIDE.format(
    name="appeasementReject", success="AppeasementRejectSuccess", action=ACTION, lines=LINES
)
CANCEL = f"""mutation($input: AppeasementCancelInput!) {{ appeasementCancel(input: $input) {{
  __typename ... on AppeasementCancelSuccess {{ action {{ {ACTION} }} order {{ {LINES} }} }}
  ... on UserError {{ code message }} }} }}"""
ROLE_UPDATE = """mutation($input: RoleUpdateInput!) { roleUpdate(input: $input) { __typename
  ... on RoleUpdateSuccess { role { name appeasementLimits { currency perAction { amount currency }
    perDay { amount } } } }
  ... on UserError { code message field } } }"""
ROLES = "{ roles { id name appeasementLimits { currency perAction { amount } } } }"
QUEUE = """query($status: [PostsalesActionStatus!]) { postsalesActions(
  filter: {status: $status}, first: 20) { edges { node { id status approvalReason
  order { number } } } } }"""
AVAILABLE = """query($n: String!) { order(number: $n) { version availableActions { kind allowed
  reason needsApproval approvalLimit { amount } actionIds } } }"""
HISTORY = """query($n: String!) { order(number: $n) { history { kind message
  details { approvalReason decision decisionComment } } } }"""


class Desk:
    """Signed-in tokens of the seeded users, each call made as one of them."""

    def __init__(self, gql: GraphQLClient) -> None:
        self.gql = gql
        self.tokens: dict[str, str] = {}

    async def sign_in(self, *users: str) -> Desk:
        for user in users:
            self.tokens[user] = await self.gql.login(user)
        return self

    async def run(self, user: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = await self.gql.execute(query, variables, token=self.tokens[user])
        assert not body.get("errors"), body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def role_id(self, name: str) -> str:
        roles = (await self.run("admin", ROLES, {}))["roles"]
        return next(r["id"] for r in roles if r["name"] == name)

    async def set_limits(
        self, role: str, *limits: dict[str, Any], by: str = "admin", **more: Any
    ) -> Any:
        payload = {"roleId": await self.role_id(role), "appeasementLimits": list(limits), **more}
        return (await self.run(by, ROLE_UPDATE, {"input": payload}))["roleUpdate"]

    async def appease(self, user: str, made: Made, amount: str, **extra: Any) -> Any:
        payload = {"lineId": made.lines[1], "amount": amount, "reason": "GOODWILL", **extra}
        return (await self.run(user, APPEASE, {"input": payload}))["appeasementCreate"]

    async def decide(self, user: str, query: str, action_id: str, comment: str = "OK") -> Any:
        payload = {"actionId": action_id, "comment": comment}
        found = await self.run(user, query, {"input": payload})
        return next(iter(found.values()))


async def desk_with_limits(gql: GraphQLClient, per_action: str = "50", per_day: Any = None) -> Desk:
    desk = await Desk(gql).sign_in("admin", "supervisor", "agent")
    limit = {"currency": "GBP", "perAction": per_action, "perDay": per_day}
    assert (await desk.set_limits("CS Agent", limit))["__typename"] == "RoleUpdateSuccess"
    # A role change applies on the next request; sign in again for a clean session anyway.
    await desk.sign_in("agent")
    return desk


async def topics(db: Database, made: Made) -> list[str]:
    return [m.topic for m in await rows(db, OutboxMessage, OutboxMessage.order_id == made.id)]


async def test_above_the_limit_an_appeasement_waits_with_its_amount_reserved(
    db: Database, gql: GraphQLClient
) -> None:
    desk = await desk_with_limits(gql)
    made = await made_order(db, lines=1)
    before = await snapshot(db)
    preview = await desk.appease("agent", made, "60.00", dryRun=True)
    assert (preview["dryRun"], preview["needsApproval"], preview["approvalReason"]) == (
        True,
        True,
        "PER_ACTION_LIMIT",
    )
    assert await snapshot(db) == before
    within = await desk.appease("agent", made, "50.00", dryRun=True)
    assert (within["needsApproval"], within["approvalReason"]) == (False, None)

    done = await desk.appease("agent", made, "60.00")
    assert done["__typename"] == "AppeasementCreateSuccess", done
    assert (done["needsApproval"], done["approvalReason"]) == (True, "PER_ACTION_LIMIT")
    assert done["action"]["status"] == "AWAITING_APPROVAL"
    assert done["order"]["lines"][0]["refundableAmount"]["amount"] == "40.00"
    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    assert (refund.status, refund.net) == (RefundStatus.RESERVED, Decimal("60.00"))
    assert "credit_note" not in await topics(db, made)
    history = (await desk.run("agent", HISTORY, {"n": made.number}))["order"]["history"]
    assert "awaits approval" in history[-1]["message"]
    assert "limit of 50.00 GBP per appeasement" in history[-1]["message"]
    assert history[-1]["details"]["approvalReason"] == "PER_ACTION_LIMIT"

    # The approval queue shows it; the payment system has nothing to confirm.
    queue = await desk.run("supervisor", QUEUE, {"status": ["AWAITING_APPROVAL"]})
    node = next(
        e["node"]
        for e in queue["postsalesActions"]["edges"]
        if e["node"]["id"] == done["action"]["id"]
    )
    assert node["approvalReason"] == "PER_ACTION_LIMIT"


async def test_a_second_user_approves_and_the_normal_flow_follows(
    db: Database, gql: GraphQLClient
) -> None:
    desk = await desk_with_limits(gql)
    made = await made_order(db, lines=1)
    action_id = (await desk.appease("agent", made, "60.00"))["action"]["id"]

    before = await snapshot(db)
    blank = await desk.decide("supervisor", APPROVE, action_id, comment="  ")
    assert (blank["__typename"], blank["field"]) == ("CommentInvalid", ["input", "comment"])
    assert await snapshot(db) == before
    # The agent holds no APPEASEMENT_APPROVE.
    body = await gql.execute(
        APPROVE, {"input": {"actionId": action_id, "comment": "x"}}, token=desk.tokens["agent"]
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    approved = await desk.decide("supervisor", APPROVE, action_id, comment="Loyal customer.")
    assert approved["__typename"] == "AppeasementApproveSuccess", approved
    action = approved["action"]
    assert action["status"] == "REQUESTED"
    assert action["decidedBy"] == {"username": "supervisor"}
    assert action["decisionComment"] == "Loyal customer." and action["decidedAt"]
    assert approved["order"]["lines"][0]["refundableAmount"]["amount"] == "40.00"
    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    assert refund.status is RefundStatus.REQUESTED
    assert (await topics(db, made)).count("credit_note") == 1
    entry = (await desk.run("agent", HISTORY, {"n": made.number}))["order"]["history"][-1]
    assert entry["details"]["decision"] == "APPROVED"
    assert entry["details"]["decisionComment"] == "Loyal customer."
    assert "approved by Sam Supervisor" in entry["message"]

    again = await desk.decide("admin", APPROVE, action_id)
    assert (again["__typename"], again["status"]) == ("IllegalTransition", "REQUESTED")
    assert (await topics(db, made)).count("credit_note") == 1


async def test_a_rejection_or_a_cancellation_releases_the_reservation(
    db: Database, gql: GraphQLClient
) -> None:
    desk = await desk_with_limits(gql)
    made = await made_order(db, lines=1)
    first = (await desk.appease("agent", made, "60.00"))["action"]["id"]
    rejected = await desk.decide("supervisor", REJECT, first, comment="Not our fault.")
    assert rejected["__typename"] == "AppeasementRejectSuccess", rejected
    assert rejected["action"]["status"] == "REJECTED"
    assert rejected["order"]["lines"][0]["refundableAmount"]["amount"] == "100.00"
    entry = (await desk.run("agent", HISTORY, {"n": made.number}))["order"]["history"][-1]
    assert entry["details"]["decision"] == "REJECTED"

    second = (await desk.appease("agent", made, "70.00"))["action"]["id"]
    cancelled = (await desk.run("supervisor", CANCEL, {"input": {"actionId": second}}))[
        "appeasementCancel"
    ]
    assert cancelled["action"]["status"] == "CANCELLED"
    assert cancelled["order"]["lines"][0]["refundableAmount"]["amount"] == "100.00"
    refunds = await rows(db, Refund, Refund.order_id == made.id)
    assert [r.status for r in refunds] == [RefundStatus.CANCELLED, RefundStatus.CANCELLED]
    # Nothing ever reached the payment system, so nothing is withdrawn from it.
    assert await topics(db, made) == []


async def test_nobody_approves_their_own_appeasement(db: Database, gql: GraphQLClient) -> None:
    desk = await Desk(gql).sign_in("admin", "supervisor")
    limit = {"currency": "GBP", "perAction": "10.00"}
    assert (await desk.set_limits("CS Supervisor", limit))["__typename"] == "RoleUpdateSuccess"
    made = await made_order(db, lines=1)
    action_id = (await desk.appease("supervisor", made, "20.00"))["action"]["id"]
    view = (await desk.run("supervisor", AVAILABLE, {"n": made.number}))["order"]
    by_kind = {a["kind"]: a for a in view["availableActions"]}
    assert by_kind["APPEASEMENT_APPROVE"]["reason"] == "OWN_ACTION"
    assert by_kind["APPEASEMENT"]["needsApproval"] is True
    assert by_kind["APPEASEMENT"]["reason"] == "APPROVAL_REQUIRED"
    assert by_kind["APPEASEMENT"]["approvalLimit"] == {"amount": "10.00"}
    before = await snapshot(db)
    own = await desk.decide("supervisor", APPROVE, action_id)
    assert own["__typename"] == "NotAllowed", own
    assert await snapshot(db) == before
    by_admin = (await desk.run("admin", AVAILABLE, {"n": made.number}))["order"]
    approve = next(a for a in by_admin["availableActions"] if a["kind"] == "APPEASEMENT_APPROVE")
    assert (approve["allowed"], approve["actionIds"]) == (True, [action_id])
    assert (await desk.decide("admin", APPROVE, action_id))["__typename"] == (
        "AppeasementApproveSuccess"
    )


async def test_the_daily_limit_counts_what_the_agent_gave_on_their_own_today(
    db: Database, gql: GraphQLClient
) -> None:
    desk = await desk_with_limits(gql, per_action="50", per_day="80")
    made = await made_order(db, lines=1)
    assert (await desk.appease("agent", made, "30.00"))["action"]["status"] == "REQUESTED"
    assert (await desk.appease("agent", made, "40.00"))["action"]["status"] == "REQUESTED"
    view = (await desk.run("agent", AVAILABLE, {"n": made.number}))["order"]
    appease = next(a for a in view["availableActions"] if a["kind"] == "APPEASEMENT")
    assert appease["approvalLimit"] == {"amount": "10.00"}
    over = await desk.appease("agent", made, "20.00")
    assert (over["action"]["status"], over["approvalReason"]) == (
        "AWAITING_APPROVAL",
        "DAILY_LIMIT",
    )
    # Approved ones were someone else's decision: they leave the day's total as it was.
    await desk.decide("supervisor", APPROVE, over["action"]["id"])
    assert (await desk.appease("agent", made, "10.00"))["action"]["status"] == "REQUESTED"


async def test_shipping_appeasements_follow_the_same_limits(
    db: Database, gql: GraphQLClient
) -> None:
    desk = await desk_with_limits(gql, per_action="1")
    made = await made_order(db, lines=1)
    async with db.write() as s:
        await s.execute(
            update(Order)
            .where(Order.id == made.id)
            .values(shipping_amount=Decimal("5.00"), shipping_refundable=Decimal("5.00"))
        )
        await s.commit()
    payload = {"orderId": made.gid, "amount": "2.00", "reason": "GOODWILL"}
    done = (await desk.run("agent", SHIPPING, {"input": payload}))["shippingAppeasementCreate"]
    assert (done["needsApproval"], done["action"]["status"]) == (True, "AWAITING_APPROVAL")
    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    assert refund.status is RefundStatus.RESERVED and refund.line_id is None
    rejected = await desk.decide("supervisor", REJECT, done["action"]["id"])
    assert rejected["__typename"] == "AppeasementRejectSuccess"
    assert await topics(db, made) == []


async def test_limits_follow_the_role_hierarchy(db: Database, gql: GraphQLClient) -> None:
    desk = await Desk(gql).sign_in("admin", "supervisor")
    managing = [p.value for p in CS_PERMISSIONS] + ["USER_MANAGE"]
    ok = await desk.set_limits(
        "CS Supervisor",
        {"currency": "gbp", "perAction": "100", "perDay": "500"},
        permissions=managing,
    )
    assert ok["role"]["appeasementLimits"] == [
        {"currency": "GBP", "perAction": {"amount": "100.00", "currency": "GBP"},
         "perDay": {"amount": "500.00"}}
    ]  # fmt: skip
    await desk.sign_in("supervisor")
    within = await desk.set_limits(
        "CS Agent", {"currency": "GBP", "perAction": "40", "perDay": "400"}, by="supervisor"
    )
    assert within["__typename"] == "RoleUpdateSuccess", within
    # Above their own limit, or unlimited where they have one: refused.
    for limit in ({"currency": "GBP", "perAction": "150"}, {"currency": "GBP"}):
        refused = await desk.set_limits("CS Agent", limit, by="supervisor")
        assert refused["__typename"] == "NotAllowed", refused
        assert refused["field"] == ["input", "appeasementLimits"]
    own = await desk.set_limits("CS Supervisor", {"currency": "GBP"}, by="admin")
    assert own["__typename"] == "RoleUpdateSuccess"
    await desk.set_limits("CS Supervisor", {"currency": "GBP", "perAction": "100"}, by="admin")
    await desk.sign_in("supervisor")
    async with db.read() as s:
        sup_id = await s.scalar(select(Role.id).where(Role.name == "CS Supervisor"))
    assert sup_id is not None
    mine = {"roleId": encode_id("Role", sup_id), "appeasementLimits": []}
    refused = (await desk.run("supervisor", ROLE_UPDATE, {"input": mine}))["roleUpdate"]
    # Their own role is not one they manage (level 2): as if it did not exist.
    assert refused["__typename"] == "NotFound", refused
    for bad in (
        {"currency": "POUNDS", "perAction": "1"},
        {"currency": "GBP", "perAction": "-1"},
        {"currency": "GBP", "perAction": "1.001"},
    ):
        invalid = await desk.set_limits("CS Agent", bad, by="supervisor")
        assert invalid["__typename"] == "ValidationFailed", invalid
    twice = await desk.set_limits(
        "CS Agent", {"currency": "EUR"}, {"currency": "eur"}, by="supervisor"
    )
    assert twice["__typename"] == "ValidationFailed"
    agent = next(
        r for r in (await desk.run("admin", ROLES, {}))["roles"] if r["name"] == "CS Agent"
    )
    assert agent["appeasementLimits"] == [{"currency": "GBP", "perAction": {"amount": "40.00"}}]


async def test_admin_cannot_change_its_own_roles_limits(db: Database, gql: GraphQLClient) -> None:
    desk = await Desk(gql).sign_in("admin")
    refused = await desk.set_limits("Administrator", {"currency": "GBP", "perAction": "5"})
    assert (refused["__typename"], refused["field"]) == (
        "NotAllowed",
        ["input", "appeasementLimits"],
    )
    async with db.read() as s:
        assert (
            await s.scalar(select(Role.appeasement_limits).where(Role.name == "Administrator"))
            is None
        )
    actions = await rows(db, PostsalesAction, PostsalesAction.status == ActionStatus.REJECTED)
    assert actions == []
    assert await rows(db, HistoryEntry, HistoryEntry.message.like("%awaits approval%")) == []


async def test_the_payment_system_cannot_confirm_a_reservation(
    db: Database, gql: GraphQLClient
) -> None:
    desk = await desk_with_limits(gql)
    made = await made_order(db, lines=1)
    await desk.appease("agent", made, "60.00")
    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    before = await snapshot(db)
    for released in (True, False):
        async with db.write() as s:
            with pytest.raises(RefundNotOpen) as refused:
                await confirm_refund(s, refund.id, released=released)
        assert refused.value.status == "RESERVED"
    assert await snapshot(db) == before
