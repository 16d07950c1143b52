"""Returns: SHIPPED or DELIVERED lines go back to a source, and on approval their remaining
net (+ tax) is refunded from the ledger.

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
from models import Line, Order, PostsalesAction, PostsalesActionLine, Reason, Source
from models.base import utcnow
from models.enums import ActionKind, ActionStatus, HistoryKind, LineStatus, RefundKind
from resolvers import ledger
from resolvers.actions.common import (
    Outcome,
    add_history,
    check_comment,
    decode_id,
    encode_id,
    enqueue,
    lock_order,
    open_action,
)
from resolvers.actions.lookup import load_visible_order, locked_action
from resolvers.actions.refunds import RefundFigures, amount, figures, money, queue_credit_note
from resolvers.eligibility import SHIPPED_OR_DELIVERED, returnable
from resolvers.errors import (
    IllegalTransition,
    LineNotEligible,
    NotFound,
    SourceNotAllowed,
    ValidationFailed,
)
from resolvers.reasons import ReasonKind, pick, reasons
from resolvers.settings import sourcing_strategy_enabled

MAX_COMMENT = 1000
ORDER = ["input", "orderId"]
LINES = ["input", "lines"]
ACTION = ["input", "actionId"]


@dataclass(frozen=True)
class ReturnLineRequest:
    line_id: str
    reason: str
    return_to: str | None = None


@dataclass(frozen=True)
class ReturnRequest:
    order_id: str
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


# --- where a line may go back to ---------------------------------------------------------------


@dataclass(frozen=True)
class SourceOptions:
    default: Source | None
    allowed: list[Source]


def source_options(
    line: Line, enabled: bool, accepting: Sequence[Source], sources: dict[int, Source]
) -> SourceOptions:
    """By default a line goes back to the source it shipped from; with the sourcing strategy
    on (or when the line has no shipping source on record), to any source that accepts returns."""
    shipped_from = sources.get(line.source_id) if line.source_id is not None else None
    if shipped_from is not None and not enabled:
        return SourceOptions(shipped_from, [shipped_from])
    default = shipped_from if shipped_from in accepting else None
    return SourceOptions(default, list(accepting))


async def source_context(session: AsyncSession) -> tuple[bool, list[Source], dict[int, Source]]:
    """The setting, the sources accepting returns (by code), and every source by id."""
    enabled = await sourcing_strategy_enabled(session)
    every = list(await session.scalars(select(Source).order_by(Source.code)))
    return enabled, [s for s in every if s.accepts_returns], {s.id: s for s in every}


async def return_sources(
    session: AsyncSession, viewer: Viewer, order_id: int
) -> list[Source] | None:
    """The sources the order's returnable lines may go back to (None: no such order)."""
    order = await session.get(Order, order_id)
    if order is None or not (viewer.sees_store(order.store_id)):
        return None
    enabled, accepting, sources = await source_context(session)
    lines = await session.scalars(select(Line).where(Line.order_id == order.id))
    found: dict[str, Source] = {}
    for line in lines:
        if returnable(line):
            for source in source_options(line, enabled, accepting, sources).allowed:
                found[source.code] = source
    return [found[code] for code in sorted(found)]


# --- create ------------------------------------------------------------------------------------


async def _plan(
    session: AsyncSession, viewer: Viewer, request: ReturnRequest, *, lock: bool
) -> ReturnPlan:
    """Every rule of a return; with ``lock`` the order is locked and its version bumped."""
    order_id = decode_id(request.order_id, "Order", ORDER)
    if not request.lines:
        raise ValidationFailed("Select at least one line to return.", field=LINES)
    ids = [
        decode_id(item.line_id, "Line", [*LINES, str(i), "lineId"])
        for i, item in enumerate(request.lines)
    ]
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
                f"Line {line.number} is {line.status.value}: only shipped or delivered lines "
                "without an open return can be returned.",
                field=[*field, "lineId"],
                line_id=encode_id("Line", line.id),
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
                line_id=encode_id("Line", line.id),
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


def _numbers(lines: Sequence[Line]) -> str:
    return ", ".join(str(line.number) for line in sorted(lines, key=lambda x: x.number))


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
            .where(Line.id == line.id, Line.status.in_(SHIPPED_OR_DELIVERED))
            .values(status=LineStatus.RETURN_REQUESTED, status_before_return=line.status)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise LineNotEligible(
                f"Line {line.number} changed meanwhile; reload the order.",
                field=LINES,
                line_id=encode_id("Line", line.id),
                status=line.status.value,
            )
    lines = [line for line, _ in plan.lines]
    labels = "; ".join(reason.label for _, reason in plan.lines)
    add_history(
        session,
        order.id,
        HistoryKind.RETURN,
        f"Return requested for line(s) {_numbers(lines)} to {plan.source.code} ({labels})",
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
        "WAREHOUSE",
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


# --- approve and cancel ------------------------------------------------------------------------


async def _requested(
    session: AsyncSession,
    viewer: Viewer,
    action_id: str,
    expected_version: int | None,
    to: ActionStatus,
    verb: str,
) -> tuple[Order, PostsalesAction, list[Line]]:
    """Move a REQUESTED return to ``to`` with a guarded UPDATE (of two racing steps exactly one
    wins; the other gets IllegalTransition), and return its order, itself and its lines."""
    order, action = await locked_action(
        session, viewer, action_id, ActionKind.RETURN, expected_version, ACTION
    )
    result = await session.execute(
        update(PostsalesAction)
        .where(PostsalesAction.id == action.id, PostsalesAction.status == ActionStatus.REQUESTED)
        .values(status=to, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.refresh(action)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise IllegalTransition(
            f"This return is {action.status.value}: only a requested return can be {verb}.",
            field=ACTION,
            status=action.status.value,
        )
    lines = list(
        await session.scalars(
            select(Line)
            .join(PostsalesActionLine, PostsalesActionLine.line_id == Line.id)
            .where(PostsalesActionLine.action_id == action.id)
            .order_by(Line.number)
            .execution_options(populate_existing=True)
        )
    )
    return order, action, lines


async def _set_lines(
    session: AsyncSession, lines: Sequence[Line], status_of: dict[int, LineStatus]
) -> None:
    """Move RETURN_REQUESTED lines to their new status (guarded: a line moved otherwise is an
    error and the whole step rolls back)."""
    for line in lines:
        result = await session.execute(
            update(Line)
            .where(Line.id == line.id, Line.status == LineStatus.RETURN_REQUESTED)
            .values(status=status_of[line.id], status_before_return=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise LineNotEligible(
                f"Line {line.number} is {line.status.value}, not in an open return.",
                field=ACTION,
                line_id=encode_id("Line", line.id),
                status=line.status.value,
            )
        await session.refresh(line)


async def approve_return(
    session: AsyncSession, viewer: Viewer, *, action_id: str, expected_version: int | None = None
) -> Outcome:
    """Approve a requested return: lines RETURNED, a refund of each line's remaining net."""
    order, action, lines = await _requested(
        session, viewer, action_id, expected_version, ActionStatus.APPROVED, "approved"
    )
    await _set_lines(session, lines, {line.id: LineStatus.RETURNED for line in lines})
    refunds = []
    if not action.no_refund:
        for line in lines:
            if line.refundable_net > 0:
                refund = await ledger.draw(
                    session,
                    line,
                    line.refundable_net,
                    currency=order.currency,
                    kind=RefundKind.RETURN,
                    order_id=order.id,
                    action_id=action.id,
                    field=ACTION,
                )
                queue_credit_note(session, order, refund, line)
                refunds.append((refund, line))
    net = sum((r.net for r, _ in refunds), Decimal(0))
    gross = sum((r.gross for r, _ in refunds), Decimal(0))
    action.amount = net or None
    numbers = _numbers(lines)
    if action.no_refund:
        outcome = "no refund (exchange)"
    elif refunds:
        outcome = f"refund of {money(gross, order.currency)} requested"
    else:
        outcome = "nothing left to refund"
    add_history(
        session,
        order.id,
        HistoryKind.RETURN,
        f"Return of line(s) {numbers} approved by {viewer.display_name}: {outcome}",
        viewer=viewer,
        details={
            "actionId": action.id,
            "lines": [line.number for line in lines],
            "noRefund": action.no_refund,
            "refunds": [
                {
                    "refundId": r.id,
                    "line": line.number,
                    "net": amount(r.net, order.currency),
                    "tax": amount(r.tax, order.currency),
                    "gross": amount(r.gross, order.currency),
                }
                for r, line in refunds
            ],
            "net": amount(net, order.currency),
            "gross": amount(gross, order.currency),
            "currency": order.currency,
        },
    )
    enqueue(
        session,
        "EMAIL",
        "return_approved",
        {
            "to": order.customer_email,
            "customerName": order.customer_name,
            "language": order.language,
            "orderNumber": order.number,
            "actionId": action.id,
            "lines": [
                {"number": line.number, "sku": line.sku_code, "productName": line.product_name}
                for line in lines
            ],
            "refund": (
                {
                    "net": amount(net, order.currency),
                    "gross": amount(gross, order.currency),
                    "currency": order.currency,
                }
                if refunds
                else None
            ),
        },
        order.id,
    )
    await session.flush()
    return Outcome(order_id=order.id, action_id=action.id)


async def cancel_return(
    session: AsyncSession, viewer: Viewer, *, action_id: str, expected_version: int | None = None
) -> Outcome:
    """Cancel a requested return: lines back to their status before it."""
    order, action, lines = await _requested(
        session, viewer, action_id, expected_version, ActionStatus.CANCELLED, "cancelled"
    )
    await _set_lines(
        session,
        lines,
        {line.id: line.status_before_return or LineStatus.DELIVERED for line in lines},
    )
    source = await session.get(Source, action.return_source_id) if action.return_source_id else None
    numbers = [line.number for line in lines]
    add_history(
        session,
        order.id,
        HistoryKind.RETURN,
        f"Return of line(s) {_numbers(lines)} cancelled by {viewer.display_name}",
        viewer=viewer,
        details={
            "actionId": action.id,
            "lines": numbers,
            "restored": {str(line.number): line.status.value for line in lines},
        },
    )
    enqueue(
        session,
        "WAREHOUSE",
        "return_cancelled",
        {
            "orderNumber": order.number,
            "actionId": action.id,
            "returnTo": source.code if source else None,
            "lines": numbers,
        },
        order.id,
    )
    return Outcome(order_id=order.id, action_id=action.id)
