"""Post-sales actions: appeasements, returns, exchanges, reshipments, cancellations."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from strawberry import relay

from models import PostsalesAction as ActionRow
from models import PostsalesActionLine as ActionLineRow
from models.base import utcnow
from models.enums import ActionKind, ActionStatus, Disposition
from resolvers import settings as stored_settings
from resolvers.ageing import Targets
from resolvers.limits import ApprovalReason
from resolvers.orders import visible_to
from schema.common import Money
from schema.context import Info
from schema.ids import db_id
from schema.linked import linked_order

if TYPE_CHECKING:
    from schema.order import Line, Order, Source
    from schema.refunds import Refund
    from schema.user import User

ActionKindEnum = strawberry.enum(ActionKind, name="PostsalesActionKind")
ActionStatusEnum = strawberry.enum(ActionStatus, name="PostsalesActionStatus")
ApprovalReasonEnum = strawberry.enum(
    ApprovalReason,
    name="AppeasementApprovalReason",
    description="Why an appeasement needs a second user's approval: PER_ACTION_LIMIT (above "
    "its creator's limit per appeasement) or DAILY_LIMIT (above what they may still give "
    "today).",
)
DispositionEnum = strawberry.enum(
    Disposition,
    name="ReturnDisposition",
    description="What the warehouse did with a returned item: RESTOCK (back in the store's "
    "stock) or DAMAGED (written off).",
)


@strawberry.type(description="One line of a post-sales action, with what is particular to it.")
class PostsalesActionLine:
    line: Annotated[Line, strawberry.lazy("schema.order")]
    reason: str | None = strawberry.field(
        description="This line's reason code (returns give one per line)."
    )
    disposition: Disposition | None = strawberry.field(
        description="Returns: what the warehouse did with the item; null until received (and "
        "when the warehouse did not say)."
    )
    received_at: dt.datetime | None = strawberry.field(
        description="Returns: when the warehouse received the item; null until then."
    )
    row: strawberry.Private[ActionLineRow]

    @strawberry.field(description="Exchanges: the SKU code the line is exchanged for.")
    async def new_sku(self, info: Info) -> str | None:
        if self.row.new_sku_id is None:
            return None
        sku = await info.context.loaders.sku.load(self.row.new_sku_id)
        return sku.code if sku is not None else None


@strawberry.type(description="An action taken on an order after checkout.")
class PostsalesAction(relay.Node):
    id: relay.NodeID[int]
    kind: ActionKind
    status: ActionStatus
    amount: Money | None = strawberry.field(description="Net amount refunded, where it refunds.")
    reason: str | None = strawberry.field(description="Reason code (see postsalesReasons).")
    comment: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    no_refund: bool = strawberry.field(
        description="True for the returns of exchanged lines, which close without a refund."
    )
    approval_reason: ApprovalReason | None = strawberry.field(
        description="Appeasements above their creator's limit: the limit gone over (they "
        "wait AWAITING_APPROVAL); null when none applied."
    )
    decided_at: dt.datetime | None = strawberry.field(
        description="When a second user approved or rejected it."
    )
    decision_comment: str | None = strawberry.field(
        description="The approver's comment on approving or rejecting it."
    )
    row: strawberry.Private[ActionRow]

    @classmethod
    def from_row(cls, row: ActionRow, info: Info) -> PostsalesAction:
        return cls(
            id=row.id,
            kind=row.kind,
            status=row.status,
            amount=Money.of(row.amount, row.currency) if row.amount is not None else None,
            reason=row.reason_code,
            comment=row.comment,
            created_at=info.context.local(row.created_at),
            updated_at=info.context.local(row.updated_at),
            no_refund=row.no_refund,
            approval_reason=ApprovalReason(row.approval_reason) if row.approval_reason else None,
            decided_at=info.context.local(row.decided_at) if row.decided_at else None,
            decision_comment=row.decision_comment,
            row=row,
        )

    @strawberry.field(description="The user who created the action.")
    async def created_by(
        self, info: Info
    ) -> Annotated[User, strawberry.lazy("schema.user")] | None:
        from schema.user import User

        if self.row.created_by_id is None:
            return None
        row = await info.context.loaders.user.load(self.row.created_by_id)
        return User.brief(row) if row else None

    @strawberry.field(
        description="Seconds since it was created (an integer, as of this request): how long "
        "it has waited, in the queue's oldest-first order."
    )
    def age(self) -> int:
        return max(0, int((utcnow() - self.row.created_at).total_seconds()))

    @strawberry.field(
        description="When its store's service target wants it handled (viewer's time zone): "
        "returns REQUESTED (target RETURN_APPROVAL), appeasements AWAITING_APPROVAL "
        "(APPEASEMENT_APPROVAL); null for anything else, which waits for nobody."
    )
    async def due_at(self, info: Info) -> dt.datetime | None:
        due = (await service_targets(info)).due_at(self.row)
        return info.context.local(due) if due is not None else None

    @strawberry.field(description="True once `dueAt` has passed and it still waits.")
    async def breached(self, info: Info) -> bool:
        due = (await service_targets(info)).due_at(self.row)
        return due is not None and due < utcnow()

    @strawberry.field(description="Who approved or rejected it (appeasements above a limit).")
    async def decided_by(
        self, info: Info
    ) -> Annotated[User, strawberry.lazy("schema.user")] | None:
        from schema.user import User

        if self.row.decided_by_id is None:
            return None
        row = await info.context.loaders.user.load(self.row.decided_by_id)
        return User.brief(row) if row else None

    @strawberry.field(description="The lines the action acts on.")
    async def lines(self, info: Info) -> list[Annotated[Line, strawberry.lazy("schema.order")]]:
        from schema.order import Line

        pairs = await info.context.loaders.action_lines.load(self.row.id)
        return [Line.from_row(line, self.row.currency) for _, line in pairs]

    @strawberry.field(
        description="The lines with their own reason, exchange SKU, receipt and disposition "
        "(`lines` lists the same lines without them)."
    )
    async def action_lines(self, info: Info) -> list[PostsalesActionLine]:
        from schema.order import Line

        pairs = await info.context.loaders.action_lines.load(self.row.id)
        local = info.context.local
        return [
            PostsalesActionLine(
                line=Line.from_row(line, self.row.currency),
                reason=link.reason_code,
                disposition=link.disposition,
                received_at=local(link.received_at) if link.received_at else None,
                row=link,
            )
            for link, line in pairs
        ]

    @strawberry.field(description="The refunds the action made, oldest first.")
    async def refunds(
        self, info: Info
    ) -> list[Annotated[Refund, strawberry.lazy("schema.refunds")]]:
        from schema.refunds import refunds_of_order

        refunds = await refunds_of_order(info, self.row.order_id)
        return [r for r in refunds if r.row.action_id == self.row.id]

    @strawberry.field
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("schema.order")]:
        from schema.order import Order

        row = await info.context.loaders.order.load(self.row.order_id)
        return Order.from_row(row, info)

    @strawberry.field(description="The exchange or reshipment order the action created.")
    async def resulting_order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("schema.order")] | None:
        from schema.order import Order

        if self.row.resulting_order_id is None:
            return None
        row = await linked_order(info, self.row.order_id, self.row.resulting_order_id)
        if row is None or not visible_to(info.context.viewer, row):
            return None
        return Order.from_row(row, info)

    @strawberry.field(description="Where a return goes back to.")
    async def return_source(
        self, info: Info
    ) -> Annotated[Source, strawberry.lazy("schema.order")] | None:
        from schema.order import Source

        if self.row.return_source_id is None:
            return None
        s = await info.context.loaders.source.load(self.row.return_source_id)
        return Source(code=s.code, name=s.name, accepts_returns=s.accepts_returns)

    @classmethod
    # Relay's signature is overloaded on ``required``; this one implementation serves both
    # (csdesk always answers a missing node with None), which mypy cannot see.
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[PostsalesAction | None]:
        ids = [i for i in map(db_id, node_ids) if i is not None]
        async with info.context.read() as session:
            found = await session.scalars(select(ActionRow).where(ActionRow.id.in_(ids)))
            rows = {r.id: r for r in found}
        orders = await info.context.loaders.order.load_many([r.order_id for r in rows.values()])
        visible = {o.id for o in orders if o is not None and visible_to(info.context.viewer, o)}
        result: list[PostsalesAction | None] = []
        for node_id in node_ids:
            row_id = db_id(node_id)
            row = rows.get(row_id) if row_id is not None else None
            ok = row is not None and row.order_id in visible
            result.append(cls.from_row(row, info) if ok and row is not None else None)
        return result


async def service_targets(info: Info) -> Targets:
    """The service targets, read once per request (settings may change between requests)."""
    state = info.context.request.state
    cached: asyncio.Future[Targets] | None = getattr(state, "csdesk_targets", None)
    if cached is None:

        async def load() -> Targets:
            async with info.context.read() as session:
                return await stored_settings.resolved_targets(session)

        # A shared task: every action of a page waits for the same read.
        cached = asyncio.ensure_future(load())
        state.csdesk_targets = cached
    return await cached
