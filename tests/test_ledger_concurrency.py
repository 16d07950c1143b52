"""The ledger under concurrency, over real HTTP requests running at once: never a cent refunded
twice, whatever agents do at the same moment."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.db import Database
from models import Line, PostsalesAction, Refund
from models.enums import LineStatus, RefundKind, RefundStatus
from resolvers import ledger
from resolvers.errors import AmountExceedsRefundable
from tests.conftest import GraphQLClient
from tests.ledger_hooks import Gate, someone_waits_for_a_lock
from tests.postsales import (
    APPEASE,
    APPROVE,
    CANCEL_RETURN,
    RETURN,
    Made,
    ledger_violations,
    made_order,
    rows,
    success,
)


def appeasement(made: Made, amount: str, **extra: Any) -> dict[str, Any]:
    return {"input": {"lineId": made.lines[1], "amount": amount, "reason": "GOODWILL", **extra}}


async def open_return(gql: GraphQLClient, made: Made) -> str:
    payload = {
        "orderId": made.gid,
        "lines": [{"lineId": made.lines[1], "reason": "DAMAGED"}],
        "comment": "Racing.",
    }
    created = (await gql.data(RETURN, {"input": payload}))["returnCreate"]
    return str(success(created, "ReturnCreateSuccess")["action"]["id"])


async def violations(db: Database, made: Made) -> list[str]:
    async with db.read() as s:
        return await ledger_violations(s, made.id)


async def test_fifty_concurrent_appeasements_take_exactly_the_net(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db, lines=1)
    await gql.login("agent")
    bodies = await asyncio.gather(
        *(gql.execute(APPEASE, appeasement(made, "5.00")) for _ in range(50))
    )
    results = [b["data"]["appeasementCreate"] for b in bodies]
    assert Counter(r["__typename"] for r in results) == {
        "AppeasementCreateSuccess": 20,
        "AmountExceedsRefundable": 30,
    }
    refused = [r for r in results if r["__typename"] == "AmountExceedsRefundable"]
    assert {r["maximumRefundable"]["amount"] for r in refused} == {"0.00"}
    refunds = await rows(db, Refund, Refund.order_id == made.id)
    assert len(refunds) == 20 and sum(r.net for r in refunds) == Decimal("100.00")
    assert len({r.action_id for r in refunds}) == 20
    async with db.read() as s:
        assert await s.scalar(select(Line.refundable_net).where(Line.order_id == made.id)) == 0
        actions = await s.scalar(
            select(func.count())
            .select_from(PostsalesAction)
            .where(PostsalesAction.order_id == made.id)
        )
    assert actions == 20
    assert await violations(db, made) == []


async def race(db: Database, first: Awaitable[Any], second: Awaitable[Any]) -> tuple[Any, Any]:
    """Two requests at once on one order, the first held just after taking the order lock
    until the second has started (on PostgreSQL: until it waits for that lock). Both run
    concurrently, and which one wins is no longer up to the scheduler: the first."""
    with Gate(db, 'UPDATE "order" SET version') as gate:
        leader = asyncio.ensure_future(first)
        await gate.reached.wait()
        follower = asyncio.ensure_future(second)
        await someone_waits_for_a_lock(db)
        gate.open()
        return await leader, await follower


async def test_an_appeasement_racing_a_return_approval_never_overdraws(
    db: Database, gql: GraphQLClient
) -> None:
    await gql.login("supervisor")
    outcomes: Counter[str] = Counter()
    for round_ in range(4):
        made = await made_order(db, lines=1)
        action_id = await open_return(gql, made)
        approve = gql.execute(APPROVE, {"input": {"actionId": action_id}})
        appease = gql.execute(APPEASE, appeasement(made, "30.00"))
        approval_first = round_ % 2 == 1
        if approval_first:
            approved, appeased = await race(db, approve, appease)
        else:
            appeased, approved = await race(db, appease, approve)
        assert approved["data"]["returnApprove"]["__typename"] == "ReturnApproveSuccess"
        result = appeased["data"]["appeasementCreate"]
        refunds = await rows(db, Refund, Refund.order_id == made.id)
        returned = [r.net for r in refunds if r.kind is RefundKind.RETURN]
        if approval_first:
            assert result["__typename"] == "AmountExceedsRefundable", result
            assert result["maximumRefundable"]["amount"] == "0.00"
            assert returned == [Decimal("100.00")]
        else:
            assert result["__typename"] == "AppeasementCreateSuccess", result
            assert returned == [Decimal("70.00")]
        assert sum(r.net for r in refunds) == Decimal("100.00")
        assert await violations(db, made) == []
        outcomes[result["__typename"]] += 1
    # Each order was played: the ledger stays right whichever commits first.
    assert outcomes == {"AppeasementCreateSuccess": 2, "AmountExceedsRefundable": 2}


async def test_twenty_concurrent_retries_with_one_key_refund_once(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db, lines=1)
    await gql.login("agent")
    request = appeasement(made, "7.50", idempotencyKey="double-click")
    bodies = await asyncio.gather(*(gql.execute(APPEASE, request) for _ in range(20)))
    assert all(not b.get("errors") for b in bodies), bodies[0]
    answers = [b["data"] for b in bodies]
    assert answers[0]["appeasementCreate"]["__typename"] == "AppeasementCreateSuccess"
    assert all(a == answers[0] for a in answers)
    refunds = await rows(db, Refund, Refund.order_id == made.id)
    assert [r.net for r in refunds] == [Decimal("7.50")]
    assert await violations(db, made) == []


async def test_approve_and_cancel_racing_on_one_return_exactly_one_wins(
    db: Database, gql: GraphQLClient
) -> None:
    await gql.login("supervisor")
    winners: Counter[str] = Counter()
    for round_ in range(4):
        made = await made_order(db, lines=1)
        action_id = await open_return(gql, made)
        step = {"input": {"actionId": action_id}}
        approve, cancel = gql.execute(APPROVE, step), gql.execute(CANCEL_RETURN, step)
        approval_first = round_ % 2 == 1
        if approval_first:
            approved, cancelled = await race(db, approve, cancel)
        else:
            cancelled, approved = await race(db, cancel, approve)
        results = [approved["data"]["returnApprove"], cancelled["data"]["returnCancel"]]
        winner, loser = results if approval_first else reversed(results)
        assert winner["__typename"] == (
            "ReturnApproveSuccess" if approval_first else "ReturnCancelSuccess"
        ), results
        assert loser["__typename"] == "IllegalTransition", results
        refunds = await rows(db, Refund, Refund.order_id == made.id)
        (line,) = await rows(db, Line, Line.order_id == made.id)
        if approval_first:
            assert loser["status"] == "APPROVED"
            assert line.status is LineStatus.RETURNED and len(refunds) == 1
        else:
            assert loser["status"] == "CANCELLED"
            assert line.status is LineStatus.DELIVERED and refunds == []
        assert await violations(db, made) == []
        winners[winner["__typename"]] += 1
    assert winners == {"ReturnApproveSuccess": 2, "ReturnCancelSuccess": 2}


async def test_the_guarded_draw_alone_never_overdraws(db: Database) -> None:
    """Without any order lock: fifty transactions draw 5.00 from one line at once."""
    made = await made_order(db, lines=1)
    async with db.read() as s:
        line_id = await s.scalar(select(Line.id).where(Line.order_id == made.id))

    async def draw() -> str:
        async with db.write() as s:
            line = await s.get(Line, line_id)
            assert line is not None
            try:
                await ledger.draw(
                    s,
                    line,
                    Decimal("5.00"),
                    currency="GBP",
                    kind=RefundKind.APPEASEMENT,
                    order_id=made.id,
                    action_id=None,
                )
            except AmountExceedsRefundable:
                return "refused"
            await asyncio.sleep(0)  # let the others reach their UPDATE before this commits
            await s.commit()
            return "drawn"

    results = await asyncio.gather(*(draw() for _ in range(50)))
    assert Counter(results) == {"drawn": 20, "refused": 30}
    refunds = await rows(db, Refund, Refund.order_id == made.id)
    assert sum(r.net for r in refunds) == Decimal(100)
    assert {r.status for r in refunds} == {RefundStatus.REQUESTED}
    assert await violations(db, made) == []
