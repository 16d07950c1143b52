"""``HistoryEntry.details``: what an entry recorded, as typed fields (read by
``resolvers.history_details``), next to its message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from models import HistoryEntry as EntryRow
from resolvers import history_details
from schema import ids
from schema.common import Money
from schema.context import Info

if TYPE_CHECKING:
    from schema.refunds import Refund


@strawberry.type(description="A parcel's carrier and tracking, as an entry recorded it.")
class Tracking:
    carrier: str | None
    tracking_number: str
    tracking_url: str | None


@strawberry.type(description="A field an edit changed: its old and new value.")
class FieldChange:
    field: str = strawberry.field(description="e.g. shippingAddress.postalCode, shippingMethod.")
    old: str | None
    new: str | None


@strawberry.type(description="What the warehouse did with a returned line.")
class LineDisposition:
    line_number: int
    disposition: str = strawberry.field(description="RESTOCK or DAMAGED.")


@strawberry.type(description="The structured facts of a history entry; empty where none apply.")
class HistoryDetails:
    line_numbers: list[int] = strawberry.field(description="The lines the entry is about.")
    action_id: strawberry.ID | None = strawberry.field(
        description="The post-sales action concerned."
    )
    net: Money | None = strawberry.field(description="Net amount (refunded, voided, ...).")
    tax: Money | None
    gross: Money | None
    reason: str | None = strawberry.field(description="Reason code of the action.")
    failure_reason: str | None = strawberry.field(
        description="Why the payment system could not release a refund."
    )
    from_status: str | None = strawberry.field(description="Status changes: the old status.")
    to_status: str | None = strawberry.field(description="Status changes: the new status.")
    tracking: Tracking | None
    changes: list[FieldChange] = strawberry.field(description="Edits: old → new per field.")
    dispositions: list[LineDisposition] = strawberry.field(
        description="Return receipts: what the warehouse did with each line."
    )
    comment_kind: str | None = strawberry.field(
        description="Comments: COMMUNICATION, COMPLAINT, TICKET_NOTE, TRACKING_INFORMATION, OTHER."
    )
    ticket_reference: str | None = strawberry.field(
        description="Comments: the external ticket they belong to."
    )
    event_id: str | None = strawberry.field(description="The integration event that did it.")
    follow_up_id: strawberry.ID | None = strawberry.field(
        description="Follow-ups: the follow-up concerned (CREATED, DONE, REASSIGNED, CANCELLED "
        "in data.step)."
    )
    approval_reason: str | None = strawberry.field(
        description="An appeasement that awaits approval: the limit it went over "
        "(PER_ACTION_LIMIT, DAILY_LIMIT)."
    )
    decision: str | None = strawberry.field(
        description="An approval decision: APPROVED or REJECTED."
    )
    decision_comment: str | None = strawberry.field(description="Why it was so decided.")
    data: JSON = strawberry.field(description="Everything recorded, including what is not typed.")
    refund_ids: strawberry.Private[list[int]]
    order_id: strawberry.Private[int]

    @strawberry.field(description="The refunds the entry is about, as they are now.")
    async def refunds(
        self, info: Info
    ) -> list[Annotated[Refund, strawberry.lazy("schema.refunds")]]:
        from schema.refunds import refunds_of_order

        if not self.refund_ids:
            return []
        found = {r.id: r for r in await refunds_of_order(info, self.order_id)}
        return [found[i] for i in self.refund_ids if i in found]

    @strawberry.field(description="The first of `refunds` (most entries concern one).")
    async def refund(
        self, info: Info
    ) -> Annotated[Refund, strawberry.lazy("schema.refunds")] | None:
        found = await self.refunds(info)
        return found[0] if found else None


async def details_of(row: EntryRow, info: Info) -> HistoryDetails:
    d = history_details.read(row.details)
    currency = d.currency
    if currency is None and (d.net is not None or d.tax is not None or d.gross is not None):
        currency = (await info.context.loaders.order.load(row.order_id)).currency

    def money(amount: Any) -> Money | None:
        return None if amount is None or currency is None else Money.of(amount, currency)

    t = d.tracking
    return HistoryDetails(
        line_numbers=d.line_numbers,
        action_id=ids.encode("PostsalesAction", d.action_id) if d.action_id else None,
        net=money(d.net),
        tax=money(d.tax),
        gross=money(d.gross),
        reason=d.reason,
        failure_reason=d.failure_reason,
        from_status=d.from_status,
        to_status=d.to_status,
        tracking=Tracking(
            carrier=t.carrier, tracking_number=t.tracking_number, tracking_url=t.tracking_url
        )
        if t
        else None,
        changes=[FieldChange(field=c.field, old=c.old, new=c.new) for c in d.changes],
        dispositions=[
            LineDisposition(line_number=x.line_number, disposition=x.disposition)
            for x in d.dispositions
        ],
        comment_kind=d.comment_kind,
        ticket_reference=d.ticket_reference,
        event_id=d.event_id,
        follow_up_id=ids.encode("FollowUp", d.follow_up_id) if d.follow_up_id else None,
        approval_reason=d.approval_reason,
        decision=d.decision,
        decision_comment=d.decision_comment,
        # JSON is Strawberry's scalar marker, not a type mypy can check a dict against.
        data=dict(row.details or {}),  # type: ignore[arg-type]
        refund_ids=d.refund_ids,
        order_id=row.order_id,
    )
