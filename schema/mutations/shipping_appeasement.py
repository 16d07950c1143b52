"""``shippingAppeasementCreate`` (rules in resolvers.actions.shipping_appeasement)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers.actions.shipping_appeasement import (
    ShippingAppeasementRequest,
    create_shipping_appeasement,
    preview_shipping_appeasement,
)
from schema import ids
from schema.common import Money
from schema.context import Info
from schema.errors import (
    AmountNotPositive,
    AmountPrecisionInvalid,
    CommentInvalid,
    IdempotencyKeyReused,
    NotFound,
    ReasonUnknown,
    ShippingNotRefundable,
    ValidationFailed,
    VersionConflict,
)
from schema.mutations.common import (
    ApprovalNeeded,
    DryRunnable,
    OrderChangeInput,
    change_order,
    dry_run,
)


@strawberry.input(description="A refund of part or all of the shipping charge the order paid.")
class ShippingAppeasementCreateInput(OrderChangeInput):
    order_id: strawberry.ID
    amount: Decimal = strawberry.field(
        description="Amount to refund, > 0, at most the order's shippingRefundableAmount."
    )
    reason: str = strawberry.field(description="A code of postsalesReasons(kind: APPEASEMENT).")
    comment: str | None = strawberry.field(default=None, description="At most 1,000 characters.")
    dry_run: bool = strawberry.field(
        default=False, description="Check and compute the refund without writing anything."
    )


@strawberry.type(description="A refund of the shipping charge, made or to be made.")
class ShippingRefundFigures:
    gross: Money = strawberry.field(description="What the customer gets back (shipping: no tax).")
    remaining_refundable: Money = strawberry.field(
        description="The shipping charge still refundable once this refund is drawn."
    )


@strawberry.type
class ShippingAppeasementCreateSuccess(DryRunnable, ApprovalNeeded):
    refund: ShippingRefundFigures


ShippingAppeasementCreateResult = Annotated[
    ShippingAppeasementCreateSuccess
    | ShippingNotRefundable
    | AmountNotPositive
    | AmountPrecisionInvalid
    | ReasonUnknown
    | CommentInvalid
    | NotFound
    | VersionConflict
    | IdempotencyKeyReused
    | ValidationFailed,
    strawberry.union("ShippingAppeasementCreateResult"),
]


async def shipping_appeasement_create(
    info: Info, input: ShippingAppeasementCreateInput
) -> ShippingAppeasementCreateResult:
    """Refund part or all of the shipping charge: an order-level appeasement, REQUESTED."""
    request = ShippingAppeasementRequest(
        order_id=ids.decode(input.order_id, "Order", ["input", "orderId"]),
        amount=input.amount,
        reason=input.reason,
        comment=input.comment,
        expected_version=input.expected_version,
    )
    if input.dry_run:
        plan, order = await dry_run(info, lambda s, v: preview_shipping_appeasement(s, v, request))
        figures = ShippingRefundFigures(
            gross=plan.amount, remaining_refundable=plan.remaining_after
        )
        return ShippingAppeasementCreateSuccess(
            dry_run=True,
            order=order,
            action=None,
            refund=figures,
            needs_approval=plan.approval is not None,
            approval_reason=plan.approval,
        )
    done = await change_order(
        info,
        "shippingAppeasementCreate",
        input,
        lambda s, v: create_shipping_appeasement(s, v, request),
    )
    action = done.the_action()
    amount = action.amount or Money.zero(done.order.currency)
    figures = ShippingRefundFigures(
        gross=amount,
        remaining_refundable=Money.of(done.order.row.shipping_refundable, amount.currency),
    )
    return ShippingAppeasementCreateSuccess(
        dry_run=False,
        order=done.order,
        action=action,
        refund=figures,
        needs_approval=action.approval_reason is not None,
        approval_reason=action.approval_reason,
    )
