"""``Order.availableActions`` and ``Order.warnings``: the buttons the SPA shows and the
notices above the order, computed by resolvers.availability from loaded rows."""

from __future__ import annotations

import asyncio

import strawberry

from models import Order as OrderRow
from models.enums import Permission, RefundStatus
from resolvers import limits
from resolvers.availability import (
    ActionType,
    Reason,
    available_actions,
    pending_exchange_returns,
    refund_warnings,
)
from resolvers.availability import warnings as order_warnings
from schema import ids
from schema.common import Money
from schema.context import Info

ActionTypeEnum = strawberry.enum(
    ActionType,
    name="AvailableActionKind",
    description="The guide's actions on an order, and those on one of its post-sales actions.",
)
ReasonEnum = strawberry.enum(
    Reason,
    name="ActionUnavailableReason",
    description=(
        "MISSING_PERMISSION: the viewer's role lacks `permission`. ORDER_STATUS: the order's "
        "status forbids it (cancellation outside ORDER_REVIEW). NO_ELIGIBLE_LINE: no line of "
        "the order qualifies. NO_ELIGIBLE_ACTION: no post-sales action is in a status it "
        "applies to. OUT_OF_STOCK: lines qualify, but no unit they need is left in the "
        "order's store. NOTHING_REFUNDABLE: nothing is left to refund (the shipping charge, "
        "for SHIPPING_APPEASEMENT). NO_FAILED_REFUND: no refund failed (REFUND_RETRY). "
        "OWN_ACTION: the only appeasements awaiting approval are the viewer's own (four eyes). "
        "APPROVAL_REQUIRED (with `allowed` true): available, but an amount above "
        "`approvalLimit` waits for a second user's approval."
    ),
)


@strawberry.type(
    description="Whether the viewer may take an action on this order now, and on what."
)
class AvailableAction:
    kind: ActionType
    allowed: bool = strawberry.field(description="True when the action can be taken now.")
    reason: Reason | None = strawberry.field(
        description="Why not, when not allowed; APPROVAL_REQUIRED when allowed above a limit."
    )
    permission: Permission = strawberry.field(description="The permission the action needs.")
    line_ids: list[strawberry.ID] = strawberry.field(
        description=(
            "Lines the action accepts now (EXCHANGE, RESHIPMENT, APPEASEMENT, RETURN, "
            "CANCEL); empty when not allowed and for the other kinds."
        )
    )
    action_ids: list[strawberry.ID] = strawberry.field(
        description=(
            "Post-sales actions it applies to (RETURN_APPROVE and RETURN_CANCEL: REQUESTED "
            "returns; APPEASEMENT_CANCEL: appeasements not yet RELEASED, FAILED and "
            "AWAITING_APPROVAL ones included; APPEASEMENT_APPROVE and APPEASEMENT_REJECT: "
            "appeasements AWAITING_APPROVAL the viewer did not create)."
        )
    )
    refund_ids: list[int] = strawberry.field(
        description="REFUND_RETRY: the FAILED refunds not sent again yet (Refund.id)."
    )
    needs_approval: bool = strawberry.field(
        description="APPEASEMENT, SHIPPING_APPEASEMENT: some amount it accepts here is above "
        "the viewer's limit and would wait AWAITING_APPROVAL."
    )
    approval_limit: Money | None = strawberry.field(
        description="APPEASEMENT, SHIPPING_APPEASEMENT: the most the viewer may give now "
        "without approval (per appeasement, and what is left of the day's limit); null: no "
        "limit."
    )


@strawberry.type(description="Something agents should know before acting on the order.")
class OrderWarning:
    code: str = strawberry.field(
        description="RETURN_PENDING: an exchanged line's no-refund return is still REQUESTED. "
        "REFUND_FAILED: the payment system could not release a refund and nobody sent it "
        "again yet."
    )
    message: str
    line_id: strawberry.ID | None
    action_id: strawberry.ID | None = strawberry.field(description="The action concerned.")


async def resolve_available_actions(row: OrderRow, info: Info) -> list[AvailableAction]:
    viewer = info.context.viewer
    assert viewer is not None
    loaders = info.context.loaders
    lines, actions, stock = await asyncio.gather(
        loaders.lines_by_order.load(row.id),
        loaders.actions_by_order.load(row.id),
        loaders.stock.load(row.id),
    )
    # Primed by the actions' batch: no statement of its own.
    refunds = await loaders.refunds_by_order.load(row.id)
    power = (
        await authority(info, row.currency) if viewer.has(Permission.APPEASEMENT_CREATE) else None
    )
    return [
        AvailableAction(
            kind=a.kind,
            allowed=a.allowed,
            reason=a.reason,
            permission=a.permission,
            line_ids=[ids.encode("Line", i) for i in a.line_ids],
            action_ids=[ids.encode("PostsalesAction", i) for i in a.action_ids],
            refund_ids=a.refund_ids,
            needs_approval=a.needs_approval,
            approval_limit=a.approval_limit,
        )
        for a in available_actions(viewer, row, lines, actions, stock, refunds, power)
    ]


async def authority(info: Info, currency: str) -> limits.Authority:
    """The viewer's appeasement authority in ``currency``, read once per request."""
    viewer = info.context.viewer_or_raise()
    state = info.context.request.state
    cache: dict[str, asyncio.Future[limits.Authority]] | None = getattr(
        state, "csdesk_authority", None
    )
    if cache is None:
        cache = {}
        state.csdesk_authority = cache
    if currency not in cache:

        async def load() -> limits.Authority:
            async with info.context.read() as session:
                return await limits.authority(session, viewer, currency)

        # A shared task: concurrent resolvers of one request wait for the same read.
        cache[currency] = asyncio.ensure_future(load())
    return await cache[currency]


async def resolve_warnings(row: OrderRow, info: Info) -> list[OrderWarning]:
    loaders = info.context.loaders
    actions = await loaders.actions_by_order.load(row.id)
    refunds = await loaders.refunds_by_order.load(row.id)  # primed by the actions' batch
    pending = pending_exchange_returns(actions)
    found = []
    if pending:
        # The lines of every action of the order, not only the pending ones: the same keys
        # as `postsalesActions { lines }`, so that the detail page shares one statement.
        pairs = await loaders.action_lines.load_many([a.id for a in actions])
        lines_of = {a.id: [line for _, line in got] for a, got in zip(actions, pairs, strict=True)}
        found += order_warnings(pending, lines_of)
    if any(r.status is RefundStatus.FAILED for r in refunds):
        found += refund_warnings(refunds, await loaders.lines_by_order.load(row.id))
    return [
        OrderWarning(
            code=w.code,
            message=w.message,
            line_id=ids.encode("Line", w.line_id) if w.line_id else None,
            action_id=(ids.encode("PostsalesAction", w.action_id) if w.action_id else None),
        )
        for w in found
    ]
