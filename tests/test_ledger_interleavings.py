"""The money guards, each proven by forcing the interleaving it guards against (issue 11
item 8): a mutation run deleted each of these without a test noticing, because on SQLite the
"concurrent" tests run one transaction after the other and never read a stale value.

- the ledger's compare-and-set: a value read before another transaction changed it must not
  be written (a blind write loses the other refund);
- the raise when ``draw``/``give_back`` run out of rounds (else a refund without its draw, or
  a cancelled refund whose money never went back);
- the appeasement cancel's guarded UPDATE and its row count: a release committed between the
  cancel's read and its UPDATE wins (else the refund is released *and* refundable again: paid
  twice);
- the IllegalTransition when only the refund is already RELEASED.

See tests/ledger_hooks.py for how each interleaving is forced on each engine.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from auth.sessions import load_viewer
from auth.viewer import Viewer
from core.db import Database
from models import Line, OutboxMessage, PostsalesAction, Refund, User
from models.base import utcnow
from models.enums import ActionStatus, RefundKind, RefundStatus
from resolvers import ledger
from resolvers.actions.appeasement import (
    AppeasementRequest,
    cancel_appeasement,
    create_appeasement,
)
from resolvers.errors import DomainError, IllegalTransition, RefundNotOpen
from resolvers.idempotency import Outcome, run_action
from resolvers.payments import confirm_refund, mark_pending_release
from schema import ids
from tests.ledger_hooks import Gate, before_statement, elsewhere, someone_waits_for_a_lock
from tests.postsales import Made, ledger_violations, made_order, rows, snapshot

GBP = "GBP"


async def line_of(db: Database, made: Made) -> int:
    async with db.read() as s:
        line_id = await s.scalar(select(Line.id).where(Line.order_id == made.id))
    assert line_id is not None
    return line_id


async def refundable(db: Database, line_id: int) -> Decimal:
    async with db.read() as s:
        return await ledger.remaining(s, line_id)


async def draw(session: AsyncSession, line_id: int, net: str, order_id: int) -> Refund:
    line = await session.get(Line, line_id)
    assert line is not None
    return await ledger.draw(
        session,
        line,
        Decimal(net),
        currency=GBP,
        kind=RefundKind.APPEASEMENT,
        order_id=order_id,
        action_id=None,
    )


async def competing(db: Database, session: AsyncSession, change: Any) -> None:
    """``change(session)`` as another transaction committed just now: on a second connection
    on PostgreSQL, inside ``session``'s own transaction on SQLite (tests/ledger_hooks.py)."""
    if db.is_sqlite:
        await change(session)
        return
    async with db.write() as other:
        await change(other)
        await other.commit()


def set_remaining(line_id: int, value: Decimal) -> Any:
    async def change(session: AsyncSession) -> None:
        await session.execute(
            update(Line)
            .where(Line.id == line_id)
            .values(refundable_net=value)
            .execution_options(synchronize_session=False)
        )

    return change


def hook_remaining(
    monkeypatch: pytest.MonkeyPatch, db: Database, change_after: Any
) -> list[Decimal]:
    """Makes every ledger read of a line's remaining net return what it read, after which
    ``change_after(n, value)`` (a change or None) runs as a competing transaction."""
    real = ledger.remaining
    seen: list[Decimal] = []

    async def remaining(session: AsyncSession, line_id: int) -> Decimal:
        value = await real(session, line_id)
        seen.append(value)
        change = change_after(len(seen), value)
        if change is not None:
            await competing(db, session, change)
        return value

    monkeypatch.setattr(ledger, "remaining", remaining)
    return seen


async def test_a_stale_seen_value_writes_nothing(db: Database) -> None:
    made = await made_order(db, lines=1)
    line_id = await line_of(db, made)
    async with db.write() as s:
        assert not await ledger._compare_and_set(s, line_id, Decimal("99.00"), Decimal("1.00"))
        assert await ledger.remaining(s, line_id) == Decimal("100.00")
        assert await ledger._compare_and_set(s, line_id, Decimal("100.00"), Decimal("90.00"))
        assert await ledger.remaining(s, line_id) == Decimal("90.00")


async def test_a_draw_whose_read_went_stale_reads_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another refund of 30.00 commits between the draw's read (100.00) and its write: the
    draw must not write 95.00 over it, but read 70.00 again and leave 65.00."""
    made = await made_order(db, lines=1)
    line_id = await line_of(db, made)

    def other_refund(n: int, value: Decimal) -> Any:
        async def change(session: AsyncSession) -> None:
            await draw(session, line_id, "30.00", made.id)

        return change if n == 1 else None

    seen = hook_remaining(monkeypatch, db, other_refund)
    async with db.write() as s:
        await draw(s, line_id, "5.00", made.id)
        await s.commit()
    # 100.00 (the competing draw's own read: 100.00), then 70.00.
    assert seen == [Decimal("100.00"), Decimal("100.00"), Decimal("70.00")]
    assert await refundable(db, line_id) == Decimal("65.00")
    refunds = await rows(db, Refund, Refund.order_id == made.id)
    assert sorted(r.net for r in refunds) == [Decimal("5.00"), Decimal("30.00")]
    async with db.read() as s:
        assert await ledger_violations(s, made.id) == []


async def test_a_give_back_whose_read_went_stale_reads_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = await made_order(db, lines=1)
    line_id = await line_of(db, made)
    async with db.write() as s:
        refund_id = (await draw(s, line_id, "5.00", made.id)).id
        await s.commit()

    def other_refund(n: int, value: Decimal) -> Any:
        async def change(session: AsyncSession) -> None:
            await draw(session, line_id, "10.00", made.id)

        return change if n == 1 else None

    hook_remaining(monkeypatch, db, other_refund)
    async with db.write() as s:
        refund = await s.get(Refund, refund_id)
        assert refund is not None
        await ledger.give_back(s, refund)
        await s.commit()
    assert await refundable(db, line_id) == Decimal("90.00")
    async with db.read() as s:
        assert await ledger_violations(s, made.id) == []


def always_moving(line_id: int) -> Any:
    """A competitor that changes the line after every read, so that no round succeeds."""

    def change_after(n: int, value: Decimal) -> Any:
        return set_remaining(line_id, value - Decimal("0.01") if n % 2 else value + Decimal("0.01"))

    return change_after


async def test_a_draw_that_never_wins_a_round_fails_and_draws_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = await made_order(db, lines=1)
    line_id = await line_of(db, made)
    seen = hook_remaining(monkeypatch, db, always_moving(line_id))
    async with db.write() as s:
        with pytest.raises(RuntimeError, match="contended"):
            await draw(s, line_id, "5.00", made.id)
        await s.rollback()
    assert len(seen) == ledger.MAX_ROUNDS
    assert await rows(db, Refund, Refund.order_id == made.id) == []
    # Rolled back on SQLite; on PostgreSQL the competitor's last change put it back.
    assert await refundable(db, line_id) == Decimal("100.00")


async def test_a_give_back_that_never_wins_a_round_fails_and_cancels_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = await made_order(db, lines=1)
    line_id = await line_of(db, made)
    async with db.write() as s:
        refund_id = (await draw(s, line_id, "5.00", made.id)).id
        await s.commit()
    seen = hook_remaining(monkeypatch, db, always_moving(line_id))
    async with db.write() as s:
        refund = await s.get(Refund, refund_id)
        assert refund is not None
        with pytest.raises(RuntimeError, match="contended"):
            await ledger.give_back(s, refund)
        await s.rollback()
    assert len(seen) == ledger.MAX_ROUNDS
    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    assert refund.status is RefundStatus.REQUESTED
    assert await refundable(db, line_id) == Decimal("95.00")


# --- An appeasement's cancellation racing the payment system's release of its refund ---


async def supervisor(db: Database) -> Viewer:
    async with db.read() as s:
        user_id = await s.scalar(select(User.id).where(User.username == "supervisor"))
        assert user_id is not None
        return await load_viewer(s, user_id)


async def pending_appeasement(db: Database, viewer: Viewer) -> tuple[Made, int, int]:
    """An appeasement of 20.00 on a line of 100.00 whose credit note the payment system has
    received (PENDING_RELEASE): (order, action id, refund id)."""
    made = await made_order(db, lines=1)
    parsed = ids.parse(made.lines[1])
    assert parsed is not None
    request = AppeasementRequest(parsed[1], Decimal("20.00"), "GOODWILL")
    outcome = await run_action(
        db, viewer, "test", {}, None, lambda s: create_appeasement(s, viewer, request)
    )
    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    async with db.write() as s:
        await mark_pending_release(s, refund.id)
        await s.commit()
    assert outcome.action_id is not None
    return made, outcome.action_id, refund.id


def release(db: Database, action_id: int, refund_id: int, *, committed: bool) -> Any:
    """The payment system's release of the refund at a statement hook: ``confirm_refund``
    committed on a connection of its own (``committed``, PostgreSQL only), or the same two rows
    changed inside the cancellation's own transaction."""
    if committed:

        async def confirm() -> None:
            async with db.write() as s:
                await confirm_refund(s, refund_id, released=True)
                await s.commit()

        return elsewhere(confirm)

    def act(conn: Connection) -> None:
        now = utcnow()
        conn.execute(
            update(Refund)
            .where(Refund.id == refund_id)
            .values(status=RefundStatus.RELEASED, updated_at=now)
        )
        conn.execute(
            update(PostsalesAction)
            .where(PostsalesAction.id == action_id)
            .values(status=ActionStatus.RELEASED, updated_at=now)
        )

    return act


async def cancel(db: Database, viewer: Viewer, action_id: int) -> Outcome | DomainError:
    try:
        return await run_action(
            db,
            viewer,
            "test",
            {},
            None,
            lambda s: cancel_appeasement(s, viewer, action_id=action_id),
        )
    except DomainError as exc:
        return exc


@pytest.mark.parametrize(
    "point",
    [
        # Before the cancellation reads (and locks) the refunds, after it read the action as
        # PENDING_RELEASE: on PostgreSQL a release committed by another transaction.
        "SELECT refund.id",
        # Just before its guarded UPDATE, where only the guard and its row count can see the
        # release. On PostgreSQL the cancellation holds the refund's lock since its read, so
        # another transaction's release would wait for it (the next test); the release's
        # statements run inside the cancellation's transaction on both engines.
        "UPDATE postsales_action SET status",
    ],
)
async def test_a_release_slipped_in_before_the_cancellation_wins(db: Database, point: str) -> None:
    viewer = await supervisor(db)
    made, action_id, refund_id = await pending_appeasement(db, viewer)
    line_id = await line_of(db, made)
    committed = not db.is_sqlite and point.startswith("SELECT")
    with before_statement(db, point, release(db, action_id, refund_id, committed=committed)) as f:
        result = await cancel(db, viewer, action_id)
    assert f, "the cancellation never reached the hook"
    assert isinstance(result, IllegalTransition), result
    assert result.status == "RELEASED"
    # The money stays drawn: released to the customer once, never refundable again.
    assert await refundable(db, line_id) == Decimal("80.00")
    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    (action,) = await rows(db, PostsalesAction, PostsalesAction.id == action_id)
    if committed:  # the release committed: it wins
        assert (action.status, refund.status) == (ActionStatus.RELEASED, RefundStatus.RELEASED)
    else:  # the release's statements went with the cancellation's rollback
        assert (action.status, refund.status) == (
            ActionStatus.PENDING_RELEASE,
            RefundStatus.PENDING_RELEASE,
        )
    topics = [m.topic for m in await rows(db, OutboxMessage, OutboxMessage.order_id == made.id)]
    assert "credit_note_cancelled" not in topics
    async with db.read() as s:
        assert await ledger_violations(s, made.id) == []


async def test_a_refund_already_released_stops_the_cancellation(db: Database) -> None:
    """The refund says RELEASED while its appeasement still says PENDING_RELEASE (what a
    cancellation sees when the release commits between its two reads): refused, unchanged."""
    viewer = await supervisor(db)
    _, action_id, refund_id = await pending_appeasement(db, viewer)
    async with db.write() as s:
        await s.execute(
            update(Refund).where(Refund.id == refund_id).values(status=RefundStatus.RELEASED)
        )
        await s.commit()
    before = await snapshot(db)
    result = await cancel(db, viewer, action_id)
    assert isinstance(result, IllegalTransition), result
    assert result.status == "RELEASED"
    assert await snapshot(db) == before


async def test_a_release_arriving_after_the_cancellations_update_waits_and_is_refused(
    db: Database,
) -> None:
    """The other order: the cancellation has changed the appeasement (holding its row) when
    the release starts. The release must wait for it and then find the refund cancelled,
    never deadlock with it (both lock the refund before the action)."""
    viewer = await supervisor(db)
    made, action_id, refund_id = await pending_appeasement(db, viewer)
    line_id = await line_of(db, made)

    async def confirm() -> DomainError | None:
        try:
            async with db.write() as s:
                await confirm_refund(s, refund_id, released=True)
                await s.commit()
        except DomainError as exc:
            return exc
        return None

    with Gate(db, "UPDATE postsales_action SET status") as gate:
        cancelling = asyncio.create_task(cancel(db, viewer, action_id))
        await gate.reached.wait()
        releasing = asyncio.create_task(confirm())
        await someone_waits_for_a_lock(db)
        gate.open()
        cancelled, released = await asyncio.gather(cancelling, releasing)
    assert isinstance(cancelled, Outcome), cancelled
    assert isinstance(released, RefundNotOpen) and released.status == "CANCELLED", released
    assert await refundable(db, line_id) == Decimal("100.00")
    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    assert refund.status is RefundStatus.CANCELLED
    async with db.read() as s:
        assert await ledger_violations(s, made.id) == []
