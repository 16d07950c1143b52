"""Random sequences of appeasements, returns, approvals and cancellations on a small order,
run through the domain actions: after every step the ledger's invariants hold and the order
is exactly what a simple model of the rules predicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from auth.sessions import load_viewer
from auth.viewer import Viewer
from core.db import Database
from models import Line, Order, User
from models.enums import LineStatus
from resolvers.actions.appeasement import (
    AppeasementRequest,
    cancel_appeasement,
    create_appeasement,
)
from resolvers.actions.return_review import approve_return, cancel_return
from resolvers.actions.returns import (
    ReturnLineRequest,
    ReturnRequest,
    create_return,
)
from resolvers.errors import DomainError
from resolvers.idempotency import Outcome, run_action
from schema import ids
from tests.postsales import ledger_violations, made_order

NET = Decimal("30.00")
LINES = 3

steps = st.lists(
    st.one_of(
        st.tuples(st.just("appease"), st.integers(1, LINES), st.integers(-100, 4000)),
        st.tuples(st.just("cancel appeasement"), st.integers(0, 20)),
        st.tuples(st.just("return"), st.sets(st.integers(1, LINES), min_size=1, max_size=LINES)),
        st.tuples(st.just("approve"), st.integers(0, 20)),
        st.tuples(st.just("cancel return"), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=12,
)


@dataclass
class Model:
    """What the rules say the order should look like."""

    refundable: dict[int, Decimal] = field(
        default_factory=lambda: dict.fromkeys(range(1, LINES + 1), NET)
    )
    status: dict[int, LineStatus] = field(
        default_factory=lambda: dict.fromkeys(range(1, LINES + 1), LineStatus.DELIVERED)
    )
    # action id → (amount or returned line numbers, status)
    appeasements: list[tuple[int, int, Decimal, str]] = field(default_factory=list)
    returns: list[tuple[int, set[int], str]] = field(default_factory=list)


def _id(gid: str) -> int:
    parsed = ids.parse(gid)
    assert parsed is not None
    return parsed[1]


async def _run(db: Database, viewer: Viewer, action: Any) -> Outcome | str:
    try:
        return await run_action(db, viewer, "property", {}, None, action)
    except DomainError as exc:
        return type(exc).__name__


async def _step(
    db: Database, viewer: Viewer, made: Any, model: Model, step: Any
) -> Outcome | str | None:
    """Runs the step and checks its answer against the model; returns that answer (None when
    there was nothing to act on)."""
    kind = step[0]
    if kind == "appease":
        _, number, cents = step
        amount = Decimal(cents) / 100
        appease = AppeasementRequest(_id(made.lines[number]), amount, "GOODWILL")
        got = await _run(db, viewer, lambda s: create_appeasement(s, viewer, appease))
        if amount <= 0:
            assert got == "AmountNotPositive"
        elif amount > model.refundable[number]:
            assert got == "AmountExceedsRefundable"
        else:
            assert isinstance(got, Outcome), got
            model.refundable[number] -= amount
            model.appeasements.append((got.action_id or 0, number, amount, "REQUESTED"))
        return got
    elif kind == "cancel appeasement":
        if not model.appeasements:
            return None
        i = step[1] % len(model.appeasements)
        gid, number, amount, status = model.appeasements[i]
        got = await _run(db, viewer, lambda s: cancel_appeasement(s, viewer, action_id=gid))
        if status == "REQUESTED":
            assert isinstance(got, Outcome), got
            model.refundable[number] += amount
            model.appeasements[i] = (gid, number, amount, "CANCELLED")
        else:
            assert got == "IllegalTransition"
        return got
    elif kind == "return":
        numbers = sorted(step[1])
        ret = ReturnRequest(
            made.id, [ReturnLineRequest(_id(made.lines[n]), "DAMAGED") for n in numbers], "Back."
        )
        got = await _run(db, viewer, lambda s: create_return(s, viewer, ret))
        if all(model.status[n] is LineStatus.DELIVERED for n in numbers):
            assert isinstance(got, Outcome), got
            for n in numbers:
                model.status[n] = LineStatus.RETURN_REQUESTED
            model.returns.append((got.action_id or 0, set(numbers), "REQUESTED"))
        else:
            assert got == "LineNotEligible"
        return got
    else:
        if not model.returns:
            return None
        i = step[1] % len(model.returns)
        gid, numbers_set, status = model.returns[i]
        approving = kind == "approve"
        fn = approve_return if approving else cancel_return
        got = await _run(db, viewer, lambda s: fn(s, viewer, action_id=gid))
        if status != "REQUESTED":
            assert got == "IllegalTransition"
            return got
        assert isinstance(got, Outcome), got
        for n in numbers_set:
            if approving:
                model.status[n] = LineStatus.RETURNED
                model.refundable[n] = Decimal(0)
            else:
                model.status[n] = LineStatus.DELIVERED
        model.returns[i] = (gid, numbers_set, "APPROVED" if approving else "CANCELLED")
        return got


async def _version(db: Database, made: Any) -> int:
    async with db.read() as s:
        version = await s.scalar(select(Order.version).where(Order.id == made.id))
    assert version is not None
    return version


async def _check(db: Database, made: Any, model: Model) -> None:
    async with db.read() as s:
        assert await ledger_violations(s, made.id) == []
        lines = {
            line.number: line
            for line in await s.scalars(select(Line).where(Line.order_id == made.id))
        }
    assert {n: line.refundable_net for n, line in lines.items()} == model.refundable
    assert {n: line.status for n, line in lines.items()} == model.status


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
async def test_random_sequences_keep_the_ledger_right(db: Database, sequence: list[Any]) -> None:
    made = await made_order(db, lines=LINES, price=NET, tax_rate=Decimal("0.19"))
    async with db.read() as s:
        user_id = await s.scalar(select(User.id).where(User.username == "supervisor"))
        assert user_id is not None
        viewer = await load_viewer(s, user_id)
    model = Model()
    version = await _version(db, made)
    for step in sequence:
        got = await _step(db, viewer, made, model, step)
        await _check(db, made, model)
        # Every action that changed the order bumped its version once; a refusal changed nothing.
        after = await _version(db, made)
        if isinstance(got, Outcome):
            assert after == version + 1, (step, version, after)
        else:
            assert after == version, (step, got, version, after)
        version = after
