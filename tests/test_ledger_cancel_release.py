"""An appeasement's cancellation racing the payment system's release of its refund: the
guards of ``cancel_appeasement``, each proven by forcing the interleaving it guards against
(issue 11 item 8), on both engines (tests/ledger_hooks.py):

- its guarded UPDATE (``status IN CANCELLABLE``) and the row count after it: a release that
  slipped in before the UPDATE wins (else the refund is released *and* refundable again:
  paid twice);
- the IllegalTransition when only the refund is already RELEASED;
- its lock on the refunds: a release starting after its UPDATE waits and finds the refund
  cancelled, where the two used to deadlock on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from auth.sessions import load_viewer
from auth.viewer import Viewer
from core.db import Database
from models import OutboxMessage, PostsalesAction, Refund, User
from models.base import utcnow
from models.enums import ActionStatus, RefundStatus
from resolvers.actions.appeasement import (
    AppeasementRequest,
    cancel_appeasement,
    create_appeasement,
)
from resolvers.errors import DomainError, IllegalTransition, RefundNotOpen
from resolvers.idempotency import Outcome, run_action
from resolvers.payments import confirm_refund, mark_pending_release
from schema import ids
from tests.ledger_hooks import (
    Gate,
    before_statement,
    elsewhere,
    line_of,
    refundable,
    someone_waits_for_a_lock,
)
from tests.postsales import Made, ledger_violations, made_order, rows, snapshot


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
