"""Refund figures as the appeasement and return mutations show them, and the dry-run and
after-commit plumbing those mutations share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Order as OrderRow
from models import PostsalesAction as ActionRow
from resolvers.actions.refunds import RefundFigures, figures_of_action
from resolvers.errors import DomainError
from resolvers.orders import find_order
from schema.common import Money
from schema.context import Info
from schema.errors import to_user_error
from schema.order import Line, Order


class Planned(Protocol):
    """A checked action (a dry run's result): it knows its order."""

    @property
    def order(self) -> OrderRow: ...


P = TypeVar("P", bound=Planned)


@strawberry.type(description="A refund on one line: made, requested, or what it would be.")
class RefundBreakdown:
    line: Line
    net: Money = strawberry.field(description="Net amount refunded (drawn from the line).")
    tax: Money = strawberry.field(description="Tax on the net at the line's rate, half-even.")
    gross: Money = strawberry.field(description="net + tax: what the customer gets back.")
    remaining_refundable: Money = strawberry.field(
        description="The line's refundable net left once this refund is drawn."
    )

    @classmethod
    def of(cls, f: RefundFigures) -> RefundBreakdown:
        c = f.currency
        return cls(
            line=Line.from_row(f.line, c),
            net=Money.of(f.net, c),
            tax=Money.of(f.tax, c),
            gross=Money.of(f.gross, c),
            remaining_refundable=Money.of(f.remaining_after, c),
        )


async def dry_run(
    info: Info, check: Callable[[AsyncSession], Awaitable[P]]
) -> tuple[P, Order] | Any:
    """Run ``check`` in a read-only session (nothing can be written, no idempotency record):
    its result and the order as it is, or the typed error it refused with."""
    async with info.context.db.read() as session:
        try:
            result = await check(session)
        except DomainError as exc:
            return to_user_error(exc)
        found = await find_order(session, info.context.viewer, order_id=result.order.id)
        assert found is not None
        return result, Order.loaded(found, info)


async def breakdowns(info: Info, action_id: int | None) -> list[RefundBreakdown]:
    """The committed refunds of an action (for a requested return: what approval would refund)."""
    if action_id is None:
        return []
    async with info.context.db.read() as session:
        action = await session.scalar(select(ActionRow).where(ActionRow.id == action_id))
        if action is None:
            return []
        return [RefundBreakdown.of(f) for f in await figures_of_action(session, action)]
