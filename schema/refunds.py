"""Refunds: the ledger's rows as agents see them ("has my money been sent?"), and the refund
figures the appeasement and return mutations show."""

from __future__ import annotations

import datetime as dt

import strawberry

from models import Refund as RefundRow
from models.enums import RefundKind, RefundStatus
from resolvers.actions.refunds import RefundFigures
from schema.common import Money
from schema.context import Info
from schema.order import Line

RefundKindEnum = strawberry.enum(
    RefundKind,
    name="RefundKind",
    description="APPEASEMENT and RETURN: credit notes; VOID: a cancelled line's payment voided.",
)
RefundStatusEnum = strawberry.enum(
    RefundStatus,
    name="RefundStatus",
    description="REQUESTED (queued for the payment system) → PENDING_RELEASE (the payment "
    "system has it) → RELEASED (the money is on its way), or FAILED (the payment system "
    "could not release it: the amount is refundable again); CANCELLED (withdrawn).",
)


@strawberry.type(description="A refund request on the ledger and where the payment system is.")
class Refund:
    id: int = strawberry.field(description="The refundId sent with the credit note.")
    kind: RefundKind
    status: RefundStatus
    net: Money
    tax: Money
    gross: Money = strawberry.field(description="net + tax: what the customer gets back.")
    failure_reason: str | None = strawberry.field(
        description="Why the payment system could not release it (FAILED)."
    )
    created_at: dt.datetime = strawberry.field(description="Requested (viewer's time zone).")
    updated_at: dt.datetime = strawberry.field(description="Last status change.")
    retry_of: int | None = strawberry.field(
        description="The failed refund this one sends again (refundRetry)."
    )
    row: strawberry.Private[RefundRow]

    @classmethod
    def of(cls, row: RefundRow, info: Info) -> Refund:
        c = row.currency
        return cls(
            id=row.id,
            kind=row.kind,
            status=row.status,
            net=Money.of(row.net, c),
            tax=Money.of(row.tax, c),
            gross=Money.of(row.gross, c),
            failure_reason=row.failure_reason,
            created_at=info.context.local(row.created_at),
            updated_at=info.context.local(row.updated_at),
            retry_of=row.retry_of_id,
            row=row,
        )

    @strawberry.field(description="The line refunded; null for a refund of the shipping charge.")
    async def line(self, info: Info) -> Line | None:
        if self.row.line_id is None:
            return None
        # The order's lines, which the detail page loads anyway.
        lines = await info.context.loaders.lines_by_order.load(self.row.order_id)
        row = next((x for x in lines if x.id == self.row.line_id), None)
        return Line.from_row(row, self.row.currency) if row is not None else None


async def refunds_of_order(info: Info, order_id: int) -> list[Refund]:
    """The order's refunds, oldest first. They come with the order's post-sales actions (one
    batched statement that the detail page runs anyway)."""
    loaders = info.context.loaders
    await loaders.actions_by_order.load(order_id)
    return [Refund.of(r, info) for r in await loaders.refunds_by_order.load(order_id)]


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
