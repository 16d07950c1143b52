"""Approvals racing each other, rejections, cancellations and new appeasements on one line,
over HTTP with real concurrency on both engines: the first racer is held just after its order
lock until the second has started (on PostgreSQL: waits for that lock), so both orders of
every pair are played (tests/ledger_hooks.py). Whatever wins, the ledger stays whole, an
appeasement is approved at most once and the payment system hears of it at most once."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal
from typing import Any

from core.db import Database
from models import OutboxMessage, Refund
from models.enums import RefundStatus
from tests.conftest import GraphQLClient
from tests.postsales import Made, made_order, rows
from tests.test_approvals import APPEASE, APPROVE, CANCEL, REJECT, Desk, desk_with_limits
from tests.test_ledger_concurrency import race, violations


def decision(action_id: str, comment: str = "Checked.") -> dict[str, Any]:
    return {"input": {"actionId": action_id, "comment": comment}}


async def awaiting(desk: Desk, made: Made, amount: str = "60.00") -> str:
    done = await desk.appease("agent", made, amount)
    assert done["action"]["status"] == "AWAITING_APPROVAL", done
    action_id: str = done["action"]["id"]
    return action_id


def as_user(desk: Desk, user: str, query: str, variables: dict[str, Any]) -> Any:
    return desk.gql.execute(query, variables, token=desk.tokens[user])


def result(body: dict[str, Any]) -> dict[str, Any]:
    assert not body.get("errors"), body["errors"]
    found: dict[str, Any] = next(iter(body["data"].values()))
    return found


async def sent(db: Database, made: Made) -> Counter[str]:
    return Counter(
        m.topic for m in await rows(db, OutboxMessage, OutboxMessage.order_id == made.id)
    )


async def test_two_approvers_at_once_approve_once(db: Database, gql: GraphQLClient) -> None:
    desk = await desk_with_limits(gql)
    for round_ in range(2):
        made = await made_order(db, lines=1)
        action_id = await awaiting(desk, made)
        first, second = ("supervisor", "admin") if round_ == 0 else ("admin", "supervisor")
        a, b = await race(
            db,
            as_user(desk, first, APPROVE, decision(action_id)),
            as_user(desk, second, APPROVE, decision(action_id)),
        )
        assert result(a)["__typename"] == "AppeasementApproveSuccess", result(a)
        assert result(a)["action"]["decidedBy"] == {"username": first}
        assert (result(b)["__typename"], result(b)["status"]) == ("IllegalTransition", "REQUESTED")
        assert (await sent(db, made))["credit_note"] == 1
        assert await violations(db, made) == []


async def test_approval_and_rejection_racing_exactly_one_wins(
    db: Database, gql: GraphQLClient
) -> None:
    desk = await desk_with_limits(gql)
    for approval_first in (True, False):
        made = await made_order(db, lines=1)
        action_id = await awaiting(desk, made)
        approve = as_user(desk, "supervisor", APPROVE, decision(action_id))
        reject = as_user(desk, "admin", REJECT, decision(action_id))
        if approval_first:
            winner, loser = await race(db, approve, reject)
        else:
            winner, loser = await race(db, reject, approve)
        assert result(winner)["__typename"].endswith("Success"), result(winner)
        assert result(loser)["__typename"] == "IllegalTransition", result(loser)
        (refund,) = await rows(db, Refund, Refund.order_id == made.id)
        if approval_first:
            assert refund.status is RefundStatus.REQUESTED
            assert (await sent(db, made))["credit_note"] == 1
        else:
            assert refund.status is RefundStatus.CANCELLED
            assert await sent(db, made) == Counter()
        assert await violations(db, made) == []


async def test_approval_racing_a_cancellation_never_pays_a_cancelled_appeasement(
    db: Database, gql: GraphQLClient
) -> None:
    desk = await desk_with_limits(gql)
    for approval_first in (True, False):
        made = await made_order(db, lines=1)
        action_id = await awaiting(desk, made)
        approve = as_user(desk, "supervisor", APPROVE, decision(action_id))
        cancel = as_user(desk, "admin", CANCEL, {"input": {"actionId": action_id}})
        if approval_first:
            approved, cancelled = await race(db, approve, cancel)
        else:
            cancelled, approved = await race(db, cancel, approve)
        # The cancellation always stands: before the approval it leaves nothing to approve;
        # after it, it withdraws the credit note the approval queued.
        assert result(cancelled)["__typename"] == "AppeasementCancelSuccess", result(cancelled)
        (refund,) = await rows(db, Refund, Refund.order_id == made.id)
        assert refund.status is RefundStatus.CANCELLED
        outbox = await sent(db, made)
        if approval_first:
            assert result(approved)["__typename"] == "AppeasementApproveSuccess"
            assert outbox == Counter({"credit_note": 1, "credit_note_cancelled": 1})
        else:
            assert (result(approved)["__typename"], result(approved)["status"]) == (
                "IllegalTransition",
                "CANCELLED",
            )
            assert outbox == Counter()
        assert await violations(db, made) == []


async def test_a_pending_reservation_and_a_new_appeasement_never_overdraw(
    db: Database, gql: GraphQLClient
) -> None:
    """60.00 of a line of 100.00 awaits approval. A rejection races a new appeasement of
    70.00: before the rejection only 40.00 is left (refused); after it, 100.00 (it waits for
    approval in turn). Two pending approvals never hold more than the line."""
    desk = await desk_with_limits(gql)
    outcomes: Counter[str] = Counter()
    for rejection_first in (True, False):
        made = await made_order(db, lines=1)
        action_id = await awaiting(desk, made)
        payload = {"lineId": made.lines[1], "amount": "70.00", "reason": "GOODWILL"}
        reject = as_user(desk, "supervisor", REJECT, decision(action_id))
        appease = as_user(desk, "agent", APPEASE, {"input": payload})
        if rejection_first:
            rejected, appeased = await race(db, reject, appease)
        else:
            appeased, rejected = await race(db, appease, reject)
        assert result(rejected)["__typename"] == "AppeasementRejectSuccess"
        new = result(appeased)
        if rejection_first:
            assert new["__typename"] == "AppeasementCreateSuccess", new
            assert new["action"]["status"] == "AWAITING_APPROVAL"
        else:
            assert new["__typename"] == "AmountExceedsRefundable", new
        held = [
            r.net
            for r in await rows(db, Refund, Refund.order_id == made.id)
            if r.status is not RefundStatus.CANCELLED
        ]
        assert sum(held, Decimal(0)) <= Decimal("100.00")
        assert await violations(db, made) == []
        outcomes[new["__typename"]] += 1
    assert outcomes == {"AppeasementCreateSuccess": 1, "AmountExceedsRefundable": 1}


async def test_many_pending_approvals_at_once_never_hold_more_than_the_line(
    db: Database, gql: GraphQLClient
) -> None:
    desk = await desk_with_limits(gql, per_action="10")
    made = await made_order(db, lines=1)
    payload = {"input": {"lineId": made.lines[1], "amount": "30.00", "reason": "GOODWILL"}}
    bodies = await asyncio.gather(*(as_user(desk, "agent", APPEASE, payload) for _ in range(6)))
    kinds = Counter(result(b)["__typename"] for b in bodies)
    assert kinds == {"AppeasementCreateSuccess": 3, "AmountExceedsRefundable": 3}, kinds
    reserved = await rows(db, Refund, Refund.order_id == made.id)
    assert [r.status for r in reserved] == [RefundStatus.RESERVED] * 3
    assert await violations(db, made) == []
