"""What the viewer may do to an order right now (``Order.availableActions``) and what agents
should know about it (``Order.warnings``).

Built from the same predicates as the mutations (resolvers.eligibility) and the same stock
rule (one unit in the order's store), so that the buttons the SPA shows are exactly the
actions the mutations accept. Pure functions of rows the detail page loads anyway, plus one
batched stock query (resolvers.loaders.stock).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from auth.viewer import Viewer
from core.money import Money
from models import Line, Order, PostsalesAction, Refund
from models.enums import ActionKind, ActionStatus, Permission, RefundStatus
from resolvers.eligibility import (
    appeasable,
    cancellable,
    cancellable_order,
    editable_order,
    exchangeable,
    reshippable,
    returnable,
)
from resolvers.limits import Authority


class ActionType(enum.StrEnum):
    """The guide's actions on an order, and those on one of its post-sales actions."""

    EXCHANGE = "EXCHANGE"
    RESHIPMENT = "RESHIPMENT"
    APPEASEMENT = "APPEASEMENT"
    RETURN = "RETURN"
    CANCEL = "CANCEL"
    COMMENT = "COMMENT"
    RETURN_APPROVE = "RETURN_APPROVE"
    RETURN_CANCEL = "RETURN_CANCEL"
    APPEASEMENT_CANCEL = "APPEASEMENT_CANCEL"
    SHIPPING_UPDATE = "SHIPPING_UPDATE"
    SHIPPING_APPEASEMENT = "SHIPPING_APPEASEMENT"
    REFUND_RETRY = "REFUND_RETRY"
    APPEASEMENT_APPROVE = "APPEASEMENT_APPROVE"
    APPEASEMENT_REJECT = "APPEASEMENT_REJECT"


class Reason(enum.StrEnum):
    """Why an action is not available now; APPROVAL_REQUIRED: it is, but above the viewer's
    limit it waits for a second user's approval."""

    MISSING_PERMISSION = "MISSING_PERMISSION"
    ORDER_STATUS = "ORDER_STATUS"
    NO_ELIGIBLE_LINE = "NO_ELIGIBLE_LINE"
    NO_ELIGIBLE_ACTION = "NO_ELIGIBLE_ACTION"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    NOTHING_REFUNDABLE = "NOTHING_REFUNDABLE"
    NO_FAILED_REFUND = "NO_FAILED_REFUND"
    OWN_ACTION = "OWN_ACTION"
    APPROVAL_REQUIRED = "APPROVAL_REQUIRED"


PERMISSION = {
    ActionType.EXCHANGE: Permission.EXCHANGE_CREATE,
    ActionType.RESHIPMENT: Permission.RESHIPMENT_CREATE,
    ActionType.APPEASEMENT: Permission.APPEASEMENT_CREATE,
    ActionType.RETURN: Permission.RETURN_CREATE,
    ActionType.CANCEL: Permission.ORDER_CANCEL,
    ActionType.COMMENT: Permission.COMMENT_ADD,
    ActionType.RETURN_APPROVE: Permission.RETURN_APPROVE,
    ActionType.RETURN_CANCEL: Permission.RETURN_CANCEL,
    ActionType.APPEASEMENT_CANCEL: Permission.APPEASEMENT_CANCEL,
    ActionType.SHIPPING_UPDATE: Permission.ORDER_EDIT,
    ActionType.SHIPPING_APPEASEMENT: Permission.APPEASEMENT_CREATE,
    ActionType.REFUND_RETRY: Permission.REFUND_RETRY,
    ActionType.APPEASEMENT_APPROVE: Permission.APPEASEMENT_APPROVE,
    ActionType.APPEASEMENT_REJECT: Permission.APPEASEMENT_APPROVE,
}
# Appeasements can be cancelled until the payment system confirms them (RELEASED), and once
# their refund failed.
APPEASEMENT_CANCELLABLE = {
    ActionStatus.REQUESTED,
    ActionStatus.PENDING_RELEASE,
    ActionStatus.FAILED,
    ActionStatus.AWAITING_APPROVAL,
}


@dataclass(frozen=True)
class Stock:
    """Units in the order's store of every SKU of the styles on the order."""

    available: Mapping[int, int]
    # SKU id → ids of every SKU of its style (itself included).
    styles: Mapping[int, Sequence[int]]

    def reshippable(self, sku_id: int) -> bool:
        """A unit of the same SKU is left (reshipments)."""
        return self.available.get(sku_id, 0) >= 1

    def exchangeable(self, sku_id: int) -> bool:
        """A unit of another SKU of the same style is left (exchanges)."""
        return any(
            other != sku_id and self.available.get(other, 0) >= 1
            for other in self.styles.get(sku_id, ())
        )


@dataclass(frozen=True)
class Availability:
    kind: ActionType
    permission: Permission
    allowed: bool
    reason: Reason | None = None
    line_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)
    # Appeasements: some amount it accepts here would wait for approval; the most that would
    # not (None: no limit).
    needs_approval: bool = False
    approval_limit: Money | None = None


@dataclass(frozen=True)
class OrderWarning:
    code: str
    message: str
    line_id: int | None = None
    action_id: int | None = None


def available_actions(
    viewer: Viewer,
    order: Order,
    lines: Sequence[Line],
    actions: Sequence[PostsalesAction],
    stock: Stock,
    refunds: Sequence[Refund] = (),
    authority: Authority | None = None,
) -> list[Availability]:
    """Every action of the guide, in a fixed order, with the lines, actions or refunds it may
    take; ``authority`` is the viewer's appeasement limit in the order's currency."""

    def by_lines(
        kind: ActionType,
        eligible: Callable[[Line], bool],
        in_stock: Callable[[Line], bool] = lambda line: True,
    ) -> Availability:
        permission = PERMISSION[kind]
        if not viewer.has(permission):
            return Availability(kind, permission, False, Reason.MISSING_PERMISSION)
        candidates = [line for line in lines if eligible(line)]
        if not candidates:
            return Availability(kind, permission, False, Reason.NO_ELIGIBLE_LINE)
        usable = [line.id for line in candidates if in_stock(line)]
        if not usable:
            return Availability(kind, permission, False, Reason.OUT_OF_STOCK)
        return Availability(kind, permission, True, line_ids=usable)

    def by_actions(kind: ActionType, eligible: Callable[[PostsalesAction], bool]) -> Availability:
        permission = PERMISSION[kind]
        if not viewer.has(permission):
            return Availability(kind, permission, False, Reason.MISSING_PERMISSION)
        ids = [a.id for a in actions if eligible(a)]
        if not ids:
            return Availability(kind, permission, False, Reason.NO_ELIGIBLE_ACTION)
        return Availability(kind, permission, True, action_ids=ids)

    def cancel() -> Availability:
        permission = PERMISSION[ActionType.CANCEL]
        if viewer.has(permission) and not cancellable_order(order):
            return Availability(ActionType.CANCEL, permission, False, Reason.ORDER_STATUS)
        return by_lines(ActionType.CANCEL, lambda line: cancellable(order, line))

    def shipping_update() -> Availability:
        permission = PERMISSION[ActionType.SHIPPING_UPDATE]
        if not viewer.has(permission):
            return Availability(
                ActionType.SHIPPING_UPDATE, permission, False, Reason.MISSING_PERMISSION
            )
        if not editable_order(order):
            return Availability(ActionType.SHIPPING_UPDATE, permission, False, Reason.ORDER_STATUS)
        return Availability(ActionType.SHIPPING_UPDATE, permission, True)

    def simple(kind: ActionType, possible: bool, why: Reason) -> Availability:
        permission = PERMISSION[kind]
        if not viewer.has(permission):
            return Availability(kind, permission, False, Reason.MISSING_PERMISSION)
        return Availability(kind, permission, possible, None if possible else why)

    def refund_retry() -> Availability:
        permission = PERMISSION[ActionType.REFUND_RETRY]
        if not viewer.has(permission):
            return Availability(
                ActionType.REFUND_RETRY, permission, False, Reason.MISSING_PERMISSION
            )
        ids = [r.id for r in failed_refunds(refunds)]
        if not ids:
            return Availability(ActionType.REFUND_RETRY, permission, False, Reason.NO_FAILED_REFUND)
        return Availability(ActionType.REFUND_RETRY, permission, True, refund_ids=ids)

    def comment() -> Availability:
        permission = PERMISSION[ActionType.COMMENT]
        if not viewer.has(permission):
            return Availability(ActionType.COMMENT, permission, False, Reason.MISSING_PERMISSION)
        return Availability(ActionType.COMMENT, permission, True)

    def open_return(a: PostsalesAction) -> bool:
        return a.kind is ActionKind.RETURN and a.status is ActionStatus.REQUESTED

    def limited(found: Availability, most: Decimal) -> Availability:
        """APPROVAL_REQUIRED when ``most`` (the largest amount it takes here) is above the
        viewer's authority."""
        left = authority.remaining if authority is not None else None
        if not found.allowed or left is None:
            return found
        over = left.amount < most
        return replace(
            found,
            reason=Reason.APPROVAL_REQUIRED if over else None,
            needs_approval=over,
            approval_limit=left,
        )

    def decide(kind: ActionType) -> Availability:
        permission = PERMISSION[kind]
        if not viewer.has(permission):
            return Availability(kind, permission, False, Reason.MISSING_PERMISSION)
        waiting = [
            a
            for a in actions
            if a.kind is ActionKind.APPEASEMENT and a.status is ActionStatus.AWAITING_APPROVAL
        ]
        ids = [a.id for a in waiting if a.created_by_id != viewer.user_id]
        if not ids:
            why = Reason.OWN_ACTION if waiting else Reason.NO_ELIGIBLE_ACTION
            return Availability(kind, permission, False, why)
        return Availability(kind, permission, True, action_ids=ids)

    appeasement = by_lines(ActionType.APPEASEMENT, appeasable)
    most_on_a_line = max(
        (line.refundable_net for line in lines if line.id in appeasement.line_ids),
        default=Decimal(0),
    )

    return [
        by_lines(ActionType.EXCHANGE, exchangeable, lambda line: stock.exchangeable(line.sku_id)),
        by_lines(ActionType.RESHIPMENT, reshippable, lambda line: stock.reshippable(line.sku_id)),
        limited(appeasement, most_on_a_line),
        by_lines(ActionType.RETURN, returnable),
        cancel(),
        comment(),
        by_actions(ActionType.RETURN_APPROVE, open_return),
        by_actions(ActionType.RETURN_CANCEL, open_return),
        by_actions(
            ActionType.APPEASEMENT_CANCEL,
            lambda a: a.kind is ActionKind.APPEASEMENT and a.status in APPEASEMENT_CANCELLABLE,
        ),
        shipping_update(),
        limited(
            simple(
                ActionType.SHIPPING_APPEASEMENT,
                order.shipping_refundable > 0,
                Reason.NOTHING_REFUNDABLE,
            ),
            order.shipping_refundable,
        ),
        refund_retry(),
        decide(ActionType.APPEASEMENT_APPROVE),
        decide(ActionType.APPEASEMENT_REJECT),
    ]


def failed_refunds(refunds: Sequence[Refund]) -> list[Refund]:
    """FAILED refunds not sent again yet (``refundRetry``)."""
    retried = {r.retry_of_id for r in refunds if r.retry_of_id is not None}
    return [r for r in refunds if r.status is RefundStatus.FAILED and r.id not in retried]


def refund_warnings(refunds: Sequence[Refund], lines: Sequence[Line]) -> list[OrderWarning]:
    """REFUND_FAILED for each failed refund nobody sent again yet."""
    number = {line.id: line.number for line in lines}
    found = []
    for refund in failed_refunds(refunds):
        what = (
            f"line {number.get(refund.line_id, '?')}"
            if refund.line_id is not None
            else "the shipping charge"
        )
        found.append(
            OrderWarning(
                code="REFUND_FAILED",
                message=(
                    f"The refund of {Money.of(refund.gross, refund.currency)} for {what} failed "
                    f"({refund.failure_reason}): a supervisor can send it again or cancel "
                    "its appeasement."
                ),
                line_id=refund.line_id,
                action_id=refund.action_id,
            )
        )
    return found


def pending_exchange_returns(actions: Sequence[PostsalesAction]) -> list[PostsalesAction]:
    """The no-refund returns of exchanges still waiting for the items (REQUESTED)."""
    return [
        a
        for a in actions
        if a.kind is ActionKind.RETURN and a.no_refund and a.status is ActionStatus.REQUESTED
    ]


def warnings(
    pending: Sequence[PostsalesAction], lines_of: Mapping[int, Sequence[Line]]
) -> list[OrderWarning]:
    """RETURN_PENDING for each exchanged line whose no-refund return is still REQUESTED."""
    found = []
    for action in pending:
        for line in sorted(lines_of.get(action.id, ()), key=lambda x: x.number):
            found.append(
                OrderWarning(
                    code="RETURN_PENDING",
                    message=(
                        f"Line {line.number} ({line.sku_code}) was exchanged: a return is "
                        "pending for it (no refund) until the return is approved or cancelled."
                    ),
                    line_id=line.id,
                    action_id=action.id,
                )
            )
    return found
