"""The ledger's guards, each proven by forcing the interleaving it guards against (issue 11
item 8): a mutation run deleted each of these without a test noticing, because on SQLite the
"concurrent" tests run one transaction after the other and never read a stale value.

- the compare-and-set: a value read before another transaction changed it must not be
  written (a blind write loses the other refund);
- the raise when ``draw``/``give_back`` run out of rounds (else a refund without its draw, or
  a cancelled refund whose money never went back).

The appeasement cancellation's guards are in tests/test_ledger_cancel_release.py; how each
interleaving is forced on each engine in tests/ledger_hooks.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from models import Line, Refund
from models.enums import RefundKind, RefundStatus
from resolvers import ledger
from tests.ledger_hooks import line_of, refundable
from tests.postsales import ledger_violations, made_order, rows

GBP = "GBP"


async def draw(
    session: AsyncSession, line_id: int, net: str, order_id: int, seen: Decimal | None = None
) -> Refund:
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
        seen=seen,
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


async def test_a_draw_trusts_the_value_its_caller_just_read(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An action's checks read the line after locking its order: the draw writes from that
    value (``seen``) without reading it again."""
    made = await made_order(db, lines=1)
    line_id = await line_of(db, made)
    seen = hook_remaining(monkeypatch, db, lambda n, value: None)
    async with db.write() as s:
        await draw(s, line_id, "5.00", made.id, seen=Decimal("100.00"))
        await s.commit()
    assert seen == []
    assert await refundable(db, line_id) == Decimal("95.00")


async def test_a_draw_whose_given_value_is_stale_reads_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller read 100.00, then another refund of 30.00 committed: the draw from 100.00
    must not write 95.00 over it, but read 70.00 and leave 65.00."""
    made = await made_order(db, lines=1)
    line_id = await line_of(db, made)
    async with db.write() as s:
        await competing(db, s, lambda other: draw(other, line_id, "30.00", made.id))
        await draw(s, line_id, "5.00", made.id, seen=Decimal("100.00"))
        await s.commit()
    assert await refundable(db, line_id) == Decimal("65.00")
    refunds = await rows(db, Refund, Refund.order_id == made.id)
    assert sorted(r.net for r in refunds) == [Decimal("5.00"), Decimal("30.00")]
    async with db.read() as s:
        assert await ledger_violations(s, made.id) == []


async def test_a_draw_refuses_only_on_a_value_it_read(db: Database) -> None:
    """A caller's value too low to draw from is not trusted for the refusal: the draw reads
    the line (100.00) and draws."""
    made = await made_order(db, lines=1)
    line_id = await line_of(db, made)
    async with db.write() as s:
        await draw(s, line_id, "5.00", made.id, seen=Decimal("1.00"))
        await s.commit()
    assert await refundable(db, line_id) == Decimal("95.00")


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
