"""Refund figures as the appeasement and return mutations show them."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from models import PostsalesAction as ActionRow
from resolvers.actions.refunds import RefundFigures, figures_of_action
from schema.common import Money
from schema.context import Info
from schema.order import Line


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
        return cls(
            line=Line.from_row(f.line, f.net.currency),
            net=f.net,
            tax=f.tax,
            gross=f.gross,
            remaining_refundable=f.remaining_after,
        )


async def breakdowns(info: Info, action_id: int | None) -> list[RefundBreakdown]:
    """The committed refunds of an action (for a requested return: what approval would refund)."""
    if action_id is None:
        return []
    async with info.context.db.read() as session:
        action = await session.scalar(select(ActionRow).where(ActionRow.id == action_id))
        if action is None:
            return []
        return [RefundBreakdown.of(f) for f in await figures_of_action(session, action)]
