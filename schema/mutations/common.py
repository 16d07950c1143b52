"""What the order mutations share: the optimistic-concurrency and idempotency fields of their
inputs, running a domain action once, and answering with what it changed as it is after the
commit. Domain errors propagate from here; the schema's exception handlers turn them into the
union member of each mutation's result (``schema.errors``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import strawberry
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Order as OrderRow
from models import PostsalesAction as ActionRow
from models import User as UserRow
from resolvers.actions.refunds import figures_of_action, refund_figures
from resolvers.errors import NotFound
from resolvers.idempotency import Outcome, Written, run_action
from resolvers.limits import ApprovalReason
from resolvers.orders import find_order
from schema.context import Info
from schema.order import Order
from schema.postsales import PostsalesAction
from schema.refunds import RefundBreakdown

# Fields of an input that are about the request, not what it asks for.
_NOT_THE_REQUEST = frozenset({"idempotency_key", "dry_run"})


@strawberry.input(description="The fields every order mutation takes.")
class OrderChangeInput:
    expected_version: int | None = strawberry.field(
        default=None, description="The order's version as loaded: refused when it changed since."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retries with the same key and input return the first result."
    )


@strawberry.type
class OrderChanged:
    order: Order = strawberry.field(description="The order as it is now (after the change).")


@strawberry.type
class ActionTaken(OrderChanged):
    action: PostsalesAction = strawberry.field(
        description="The post-sales action created or changed."
    )


@strawberry.type
class OrderCreated(ActionTaken):
    new_order: Order = strawberry.field(
        description="The new order: <number>-E<n> (exchange) or <number>-R<n> (reshipment)."
    )


@strawberry.type
class DryRunnable(OrderChanged):
    dry_run: bool = strawberry.field(description="True: nothing was written.")
    action: PostsalesAction | None = strawberry.field(
        description="The action created; null on a dry run."
    )


@strawberry.type
class ApprovalNeeded:
    needs_approval: bool = strawberry.field(
        description="True: above your appeasement limit, so it waits AWAITING_APPROVAL (its "
        "amount reserved) until a user with APPEASEMENT_APPROVE approves it; on a dry run, "
        "that it would."
    )
    approval_reason: ApprovalReason | None = strawberry.field(
        description="Which limit it goes over; null when it needs no approval."
    )


@dataclass(frozen=True)
class Changed:
    """What an order action changed, read after its commit."""

    order: Order
    action: PostsalesAction | None
    new_order: Order | None
    outcome: Outcome
    # The action's committed refunds (with ``change_order(..., refunds=True)``).
    refunds: list[RefundBreakdown] = dataclasses.field(default_factory=list)

    def the_action(self) -> PostsalesAction:
        """The action of an outcome that always has one (every action but a comment)."""
        if self.action is None:
            raise NotFound("The action is no longer visible.", field=["input"])
        return self.action

    def the_new_order(self) -> Order:
        if self.new_order is None:
            raise NotFound("The new order is not visible to you.", field=["input"])
        return self.new_order


def request_of(input: OrderChangeInput) -> dict[str, Any]:
    """What an input asks for, as the idempotency digest compares it."""
    values = dataclasses.asdict(input)
    return {k: v for k, v in values.items() if k not in _NOT_THE_REQUEST}


async def change_order(
    info: Info,
    operation: str,
    input: OrderChangeInput,
    action: Callable[[AsyncSession, Viewer], Awaitable[Outcome]],
    *,
    refunds: bool = False,
) -> Changed:
    """Run the domain action once (per idempotency key) in one write transaction, and read
    the order, action and new order it names (and with ``refunds``, the action's refunds)."""
    viewer = info.context.viewer_or_raise()
    outcome = await run_action(
        info.context.db,
        viewer,
        operation,
        request_of(input),
        input.idempotency_key,
        lambda session: action(session, viewer),
    )
    return await load_outcome(info, outcome, refunds=refunds)


# Built once (every action's answer reads it).
_ACTION_AND_CREATOR = (
    select(ActionRow, UserRow)
    .outerjoin(UserRow, UserRow.id == ActionRow.created_by_id)
    .where(ActionRow.id == bindparam("action_id"))
)


async def load_outcome(info: Info, outcome: Outcome, *, refunds: bool = False) -> Changed:
    """The order, action and new order of an outcome, read after the commit, in one session
    (with ``refunds``, the action's committed refunds too); or, for a run that created an
    action and wrote everything its answer shows (``Written``), those rows as it committed
    them, with no statement. A replayed outcome whose order the viewer no longer sees (their
    stores changed) is NotFound."""
    viewer = info.context.viewer
    # The write has committed: the answer is read by new loaders, in one session begun
    # after it (a second mutation of the same operation must not see the first's cache).
    await info.context.after_write()
    written = outcome.written
    if written is not None and outcome.new_order_id is None and written.complete():
        return _as_written(info, outcome, written, refunds=refunds)
    async with info.context.read() as session:
        found = await find_order(session, viewer, order_id=outcome.order_id)
        if found is None:
            raise NotFound("No such order.", field=["input"])
        action = None
        figures: list[RefundBreakdown] = []
        if outcome.action_id is not None:
            # With its creator, whom every answer shows (the user loader needs no statement).
            found_action = (
                await session.execute(_ACTION_AND_CREATOR, {"action_id": outcome.action_id})
            ).first()
            row = found_action[0] if found_action else None
            if found_action and found_action[1] is not None:
                info.context.loaders.user.prime(found_action[1].id, found_action[1])
            action = PostsalesAction.from_row(row, info) if row else None
            if refunds and row is not None:
                figures = [RefundBreakdown.of(f) for f in await figures_of_action(session, row)]
        new_order = None
        if outcome.new_order_id is not None:
            new = await find_order(session, viewer, order_id=outcome.new_order_id)
            new_order = Order.loaded(new, info) if new else None
    return Changed(Order.loaded(found, info), action, new_order, outcome, figures)


def _as_written(info: Info, outcome: Outcome, written: Written, *, refunds: bool) -> Changed:
    """The answer of a run from the rows it wrote: the order (and its lines), the action, its
    lines and refunds prime the new loaders; its creator, the viewer, is primed from the
    sign-in."""
    loaders = info.context.loaders
    order, action = written.order, written.action
    loaders.order.prime(order.id, order)
    if written.lines:
        loaders.lines_by_order.prime(order.id, sorted(written.lines, key=lambda line: line.number))
    loaders.action_lines.prime(
        action.id, sorted(written.action_lines, key=lambda pair: pair[1].number)
    )
    figures = (
        [RefundBreakdown.of(f) for f in refund_figures(written.refunds, action.currency)]
        if refunds
        else []
    )
    return Changed(
        Order.from_row(order, info), PostsalesAction.from_row(action, info), None, outcome, figures
    )


class Planned(Protocol):
    """A checked action (a dry run's result): it knows its order."""

    @property
    def order(self) -> OrderRow: ...


P = TypeVar("P", bound=Planned)


async def dry_run(
    info: Info, check: Callable[[AsyncSession, Viewer], Awaitable[P]]
) -> tuple[P, Order]:
    """Run ``check`` in a read-only session (nothing can be written, no idempotency record):
    its result and the order as it is."""
    viewer = info.context.viewer_or_raise()
    async with info.context.read() as session:
        result = await check(session, viewer)
        found = await find_order(session, viewer, order_id=result.order.id)
        if found is None:
            raise NotFound("No such order.", field=["input"])
        return result, Order.loaded(found, info)
