"""Returns: DELIVERED lines go back to a source, and on approval their remaining
net (+ tax) is refunded from the ledger. Where a line may go back to is
``resolvers.return_sources``; approving and cancelling are ``resolvers.actions.return_review``.

Create: lines of one order, each with a reason from the configured list and a return-to
source (by default the source the line shipped from; with the setting
``postsales.sourcingStrategy.enabled`` on, any source that accepts returns), a mandatory
comment (1–1,000 characters) → action REQUESTED, lines RETURN_REQUESTED, history, the
warehouse told to expect it. Approve (REQUESTED only) → APPROVED, lines RETURNED, a RETURN
refund of each line's remaining net unless the return is ``no_refund`` (exchanges), history,
credit notes, the customer emailed. Cancel (REQUESTED only) → CANCELLED, lines back to their
status before the return, history, the warehouse told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.db import rows_changed
from models import Line, Order, PostsalesActionLine, Reason, Source
from models.enums import ActionKind, ActionStatus, Destination, HistoryKind, LineStatus
from resolvers.actions.common import check_comment, line_numbers, lock_order, open_action
from resolvers.actions.lookup import load_visible_order
from resolvers.actions.refunds import RefundFigures, figures
from resolvers.eligibility import returnable
from resolvers.errors import (
    LineNotEligible,
    NotFound,
    SourceNotAllowed,
    ValidationFailed,
)
from resolvers.idempotency import Outcome
from resolvers.journal import add_history, enqueue
from resolvers.reasons import ReasonKind, pick, reasons
from resolvers.return_sources import source_context, source_options

MAX_COMMENT = 1000
ORDER = ["input", "orderId"]
LINES = ["input", "lines"]


@dataclass(frozen=True)
class ReturnLineRequest:
    line_id: int
    reason: str
    return_to: str | None = None


@dataclass(frozen=True)
class ReturnRequest:
    order_id: int
    lines: Sequence[ReturnLineRequest]
    comment: str | None
    expected_version: int | None = None


@dataclass(frozen=True)
class ReturnPlan:
    """A checked return: its lines with their reasons, where it goes, and the refunds that
    approving it would make now."""

    order: Order
    lines: list[tuple[Line, Reason]]
    source: Source
    comment: str
    refunds: list[RefundFigures]


# --- create ------------------------------------------------------------------------------------


async def _plan(
    session: AsyncSession, viewer: Viewer, request: ReturnRequest, *, lock: bool
) -> ReturnPlan:
    """Every rule of a return; with ``lock`` the order is locked and its version bumped."""
    order_id = request.order_id
    if not request.lines:
        raise ValidationFailed("Select at least one line to return.", field=LINES)
    ids = [item.line_id for item in request.lines]
    if len(set(ids)) != len(ids):
        raise ValidationFailed("A line is selected twice.", field=LINES)
    comment = check_comment(
        request.comment, required=True, limit=MAX_COMMENT, field=["input", "comment"]
    )
    assert comment is not None
    if lock:
        order = await lock_order(session, viewer, order_id, request.expected_version, ORDER)
    else:
        order = await load_visible_order(session, viewer, order_id, request.expected_version, ORDER)
    rows = await session.scalars(
        select(Line).where(Line.order_id == order.id).execution_options(populate_existing=True)
    )
    by_id = {line.id: line for line in rows}
    allowed_reasons = await reasons(session, ReasonKind.RETURN)
    enabled, accepting, sources = await source_context(session)
    lines: list[tuple[Line, Reason]] = []
    chosen: list[Source] = []
    for i, (item, line_id) in enumerate(zip(request.lines, ids, strict=True)):
        field = [*LINES, str(i)]
        line = by_id.get(line_id)
        if line is None:
            raise NotFound(f"Order {order.number} has no such line.", field=[*field, "lineId"])
        reason = pick(allowed_reasons, item.reason, [*field, "reason"])
        if not returnable(line):
            raise LineNotEligible(
                f"Line {line.number} is {line.status.value}: only delivered lines without an "
                "open return can be returned.",
                field=[*field, "lineId"],
                line_id=line.id,
                status=line.status.value,
            )
        options = source_options(line, enabled, accepting, sources)
        wanted = (item.return_to or "").strip().upper()
        source = (
            next((s for s in options.allowed if s.code == wanted), None)
            if wanted
            else options.default
        )
        if source is None:
            codes = [s.code for s in options.allowed]
            raise SourceNotAllowed(
                f"Line {line.number} can go back to {', '.join(codes) or 'no source'} only."
                if wanted
                else f"Choose where line {line.number} goes back to: {', '.join(codes)}.",
                field=[*field, "returnTo"],
                line_id=line.id,
                allowed_sources=codes,
            )
        if chosen and source.code != chosen[0].code:
            # One return is one parcel to one place: the action has one return source.
            raise ValidationFailed(
                f"All lines of a return go back to one source ({chosen[0].code} here); "
                f"return line {line.number} separately.",
                field=[*field, "returnTo"],
            )
        lines.append((line, reason))
        chosen.append(source)
    refunds = [
        figures(line, line.refundable_net, order.currency, remaining_after=Decimal(0))
        for line, _ in lines
        if line.refundable_net > 0
    ]
    return ReturnPlan(order, lines, chosen[0], comment, refunds)


async def preview_return(
    session: AsyncSession, viewer: Viewer, request: ReturnRequest
) -> ReturnPlan:
    """The return's checks and the refunds approval would make, writing nothing (``dryRun``)."""
    return await _plan(session, viewer, request, lock=False)


async def create_return(session: AsyncSession, viewer: Viewer, request: ReturnRequest) -> Outcome:
    """Open a return: action REQUESTED, lines RETURN_REQUESTED, history, warehouse told."""
    plan = await _plan(session, viewer, request, lock=True)
    order = plan.order
    codes = {reason.code for _, reason in plan.lines}
    action = await open_action(
        session,
        viewer,
        order,
        ActionKind.RETURN,
        ActionStatus.REQUESTED,
        # The action's reason when all lines share one; each line keeps its own.
        reason_code=next(iter(codes)) if len(codes) == 1 else None,
        comment=plan.comment,
        return_source_id=plan.source.id,
    )
    for line, reason in plan.lines:
        session.add(
            PostsalesActionLine(action_id=action.id, line_id=line.id, reason_code=reason.code)
        )
        result = await session.execute(
            update(Line)
            .where(Line.id == line.id, Line.status == LineStatus.DELIVERED)
            .values(status=LineStatus.RETURN_REQUESTED, status_before_return=line.status)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(result) != 1:
            raise LineNotEligible(
                f"Line {line.number} changed meanwhile; reload the order.",
                field=LINES,
                line_id=line.id,
                status=line.status.value,
            )
    lines = [line for line, _ in plan.lines]
    labels = "; ".join(reason.label for _, reason in plan.lines)
    add_history(
        session,
        order.id,
        HistoryKind.RETURN,
        f"Return requested for line(s) {line_numbers(lines)} to {plan.source.code} ({labels})",
        viewer=viewer,
        details={
            "actionId": action.id,
            "lines": [line.number for line in lines],
            "reasons": {str(line.number): reason.code for line, reason in plan.lines},
            "returnTo": plan.source.code,
            "comment": plan.comment,
        },
    )
    enqueue(
        session,
        Destination.WAREHOUSE,
        "return_expected",
        {
            "orderNumber": order.number,
            "actionId": action.id,
            "returnTo": plan.source.code,
            "lines": [
                {"number": line.number, "sku": line.sku_code, "reason": reason.code}
                for line, reason in plan.lines
            ],
        },
        order.id,
    )
    return Outcome(order_id=order.id, action_id=action.id)
