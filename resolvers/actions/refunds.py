"""What appeasements and returns share about money: checking an amount, the figures of a
refund (net, tax at the line's rate half-even, gross, what stays refundable), and the credit
notes queued for the payment system."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.money import Money, has_currency_precision, minor_units, tax_for
from models import Line, Order, PostsalesAction, PostsalesActionLine, Refund
from models.enums import ActionKind, ActionStatus, Destination
from resolvers.errors import AmountNotPositive, AmountPrecisionInvalid, ValidationFailed
from resolvers.journal import enqueue

# Beyond this many digits an amount overflows decimal arithmetic: refused as malformed
# (large but sane amounts get AmountExceedsRefundable with the line's maximum instead).
MAX_AMOUNT_DIGITS = 1000


@dataclass(frozen=True)
class RefundFigures:
    """A refund on one line, made or to be made: net, tax, gross, and the line's refundable
    net once it is drawn."""

    line: Line
    net: Money
    tax: Money
    gross: Money
    remaining_after: Money


def figures(line: Line, net: Decimal, currency: str, *, remaining_after: Decimal) -> RefundFigures:
    tax = tax_for(net, line.tax_rate, currency)
    return RefundFigures(
        line,
        Money.of(net, currency),
        Money.of(tax, currency),
        Money.of(net + tax, currency),
        Money.of(remaining_after, currency),
    )


def check_positive(amount: Decimal, field: list[str]) -> None:
    """AmountNotPositive for zero or less (and for NaN, which is no amount at all)."""
    if amount.is_nan() or amount <= 0:
        raise AmountNotPositive("The amount must be more than zero.", field=field)
    if not amount.is_finite():
        raise ValidationFailed("The amount must be a finite number.", field=field)
    if amount.adjusted() >= MAX_AMOUNT_DIGITS:
        raise ValidationFailed("The amount is not a usable number.", field=field)


def check_precision(amount: Decimal, currency: str, field: list[str]) -> Money:
    """The amount at the currency's precision; AmountPrecisionInvalid when it has more decimals."""
    if not has_currency_precision(amount, currency):
        decimals = minor_units(currency)
        raise AmountPrecisionInvalid(
            f"{currency} amounts have at most {decimals} decimals.",
            field=field,
            currency=currency,
            decimals=decimals,
        )
    return Money.of(amount, currency)


def refund_payload(order: Order, refund: Refund, line: Line | None) -> dict[str, object]:
    """What the payment system needs to issue (or withdraw) a credit note; a refund of the
    shipping charge has no line (``scope`` SHIPPING)."""
    return {
        "orderNumber": order.number,
        "refundId": refund.id,
        "actionId": refund.action_id,
        "kind": refund.kind.value,
        "scope": "LINE" if line is not None else "SHIPPING",
        "lineNumber": line.number if line is not None else None,
        "sku": line.sku_code if line is not None else None,
        "net": Money.of(refund.net, refund.currency).figure,
        "tax": Money.of(refund.tax, refund.currency).figure,
        "gross": Money.of(refund.gross, refund.currency).figure,
        "currency": refund.currency,
        "paymentMethod": order.payment_method,
        "retryOf": refund.retry_of_id,
    }


def queue_credit_note(
    session: AsyncSession, order: Order, refund: Refund, line: Line | None
) -> None:
    """Ask the payment system for a credit note (a refund request)."""
    enqueue(
        session, Destination.PAYMENT, "credit_note", refund_payload(order, refund, line), order.id
    )


def queue_credit_note_cancelled(
    session: AsyncSession, order: Order, refund: Refund, line: Line | None
) -> None:
    """Tell the payment system that a requested credit note is withdrawn."""
    payload = refund_payload(order, refund, line)
    enqueue(session, Destination.PAYMENT, "credit_note_cancelled", payload, order.id)


# Built once (every refunding action's answer reads them).
_REFUNDS_OF_ACTION = (
    select(Refund, Line)
    .join(Line, Line.id == Refund.line_id)
    .where(Refund.action_id == bindparam("action_id"))
    .order_by(Line.number, Refund.id)
)


def refund_figures(refunds: Iterable[tuple[Refund, Line]], currency: str) -> list[RefundFigures]:
    """Refund rows with their lines as figures, by line number (as an action lists them)."""
    c = currency
    return [
        RefundFigures(
            line,
            Money.of(r.net, c),
            Money.of(r.tax, c),
            Money.of(r.gross, c),
            Money.of(line.refundable_net, c),
        )
        for r, line in sorted(refunds, key=lambda pair: (pair[1].number, pair[0].id))
    ]


async def figures_of_action(session: AsyncSession, action: PostsalesAction) -> list[RefundFigures]:
    """The refunds of an action as committed: its refund rows, or, for a return still
    REQUESTED, what approving it would refund now (each line's remaining net + tax)."""
    refunds = list(await session.execute(_REFUNDS_OF_ACTION, {"action_id": action.id}))
    if refunds:
        return refund_figures(((r, line) for r, line in refunds), action.currency)
    if (
        action.kind is not ActionKind.RETURN
        or action.status is not ActionStatus.REQUESTED
        or action.no_refund
    ):
        return []
    lines = await session.scalars(
        select(Line)
        .join(PostsalesActionLine, PostsalesActionLine.line_id == Line.id)
        .where(PostsalesActionLine.action_id == action.id)
        .order_by(Line.number)
    )
    return [
        figures(line, line.refundable_net, action.currency, remaining_after=Decimal(0))
        for line in lines
        if line.refundable_net > 0
    ]
