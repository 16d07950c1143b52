"""The Mutation root: one field per mutation, each declared with its permission."""

from __future__ import annotations

import strawberry

from auth.permissions import login_required, requires
from models.enums import Permission
from schema import catalog_intake, followups, fulfilment, integrations, outbox
from schema.mutations import (
    appeasement,
    appeasement_review,
    cancel,
    comment,
    configuration,
    exchange,
    refund_retry,
    reshipment,
    returns,
    roles,
    session,
    shipping_appeasement,
    shipping_update,
    users,
)
from schema.mutations import settings as settings_mutations


@strawberry.type
class Mutation:
    login = strawberry.mutation(resolver=session.login, description="Sign in.")
    logout = strawberry.mutation(
        resolver=session.logout, description="Sign out.", extensions=login_required()
    )
    role_create = strawberry.mutation(
        resolver=roles.role_create,
        description="Create a role below your level.",
        extensions=requires(Permission.USER_MANAGE),
    )
    role_update = strawberry.mutation(
        resolver=roles.role_update,
        description="Change a role you manage.",
        extensions=requires(Permission.USER_MANAGE),
    )
    user_create = strawberry.mutation(
        resolver=users.user_create,
        description="Create a user holding a role you manage.",
        extensions=requires(Permission.USER_MANAGE),
    )
    user_update = strawberry.mutation(
        resolver=users.user_update,
        description="Change, deactivate or reset the password of a user you manage.",
        extensions=requires(Permission.USER_MANAGE),
    )
    order_comment_add = strawberry.mutation(
        resolver=comment.order_comment_add,
        description="Leave a comment on an order.",
        extensions=requires(Permission.COMMENT_ADD),
    )
    order_shipping_update = strawberry.mutation(
        resolver=shipping_update.order_shipping_update,
        description="Change the shipping address or method of an order still in ORDER_REVIEW.",
        extensions=requires(Permission.ORDER_EDIT),
    )
    exchange_create = strawberry.mutation(
        resolver=exchange.exchange_create,
        description="Exchange lines for other children of their style on a new order -E<n>.",
        extensions=requires(Permission.EXCHANGE_CREATE),
    )
    reshipment_create = strawberry.mutation(
        resolver=reshipment.reshipment_create,
        description="Reship lost or damaged lines, free of charge, on a new order -R<n>.",
        extensions=requires(Permission.RESHIPMENT_CREATE),
    )
    order_cancel = strawberry.mutation(
        resolver=cancel.order_cancel,
        description="Cancel the whole order or selected lines while it is in ORDER_REVIEW.",
        extensions=requires(Permission.ORDER_CANCEL),
    )
    appeasement_create = strawberry.mutation(
        resolver=appeasement.appeasement_create,
        description="Refund part or all of one line's net amount (a special refund).",
        extensions=requires(Permission.APPEASEMENT_CREATE),
    )
    appeasement_cancel = strawberry.mutation(
        resolver=appeasement.appeasement_cancel,
        description="Cancel an appeasement not yet released; its amount is refundable again.",
        extensions=requires(Permission.APPEASEMENT_CANCEL),
    )
    appeasement_approve = strawberry.mutation(
        resolver=appeasement_review.appeasement_approve,
        description="Approve an appeasement above its creator's limit (not your own).",
        extensions=requires(Permission.APPEASEMENT_APPROVE),
    )
    appeasement_reject = strawberry.mutation(
        resolver=appeasement_review.appeasement_reject,
        description="Reject an appeasement above its creator's limit; its amount is released.",
        extensions=requires(Permission.APPEASEMENT_APPROVE),
    )
    shipping_appeasement_create = strawberry.mutation(
        resolver=shipping_appeasement.shipping_appeasement_create,
        description="Refund part or all of the shipping charge (an order-level appeasement).",
        extensions=requires(Permission.APPEASEMENT_CREATE),
    )
    refund_retry = strawberry.mutation(
        resolver=refund_retry.refund_retry,
        description="Send a FAILED refund to the payment system again.",
        extensions=requires(Permission.REFUND_RETRY),
    )
    return_create = strawberry.mutation(
        resolver=returns.return_create,
        description="Open a return of delivered lines.",
        extensions=requires(Permission.RETURN_CREATE),
    )
    return_approve = strawberry.mutation(
        resolver=returns.return_approve,
        description="Approve a requested return: lines RETURNED, refund requested.",
        extensions=requires(Permission.RETURN_APPROVE),
    )
    return_cancel = strawberry.mutation(
        resolver=returns.return_cancel,
        description="Cancel a requested return: lines back to their previous status.",
        extensions=requires(Permission.RETURN_CANCEL),
    )
    settings_update = strawberry.mutation(
        resolver=settings_mutations.settings_update,
        description="Change runtime settings.",
        extensions=requires(Permission.SETTINGS_MANAGE),
    )
    reason_create = strawberry.mutation(
        resolver=configuration.reason_create,
        description="Add a post-sales reason to a kind's list.",
        extensions=requires(Permission.SETTINGS_MANAGE),
    )
    reason_update = strawberry.mutation(
        resolver=configuration.reason_update,
        description="Rename, translate, reorder, deactivate or reactivate a post-sales reason.",
        extensions=requires(Permission.SETTINGS_MANAGE),
    )
    source_update = strawberry.mutation(
        resolver=configuration.source_update,
        description='Turn a source\'s "accepts returns" capability on or off.',
        extensions=requires(Permission.SETTINGS_MANAGE),
    )
    outbox_message_retry = strawberry.mutation(
        resolver=outbox.outbox_message_retry,
        description="Deliver a dead outbox message again.",
        extensions=requires(Permission.SETTINGS_MANAGE),
    )
    payment_refund_confirmed = strawberry.mutation(
        resolver=integrations.payment_refund_confirmed,
        description="Payment system: a refund was released (or failed).",
        extensions=requires(Permission.INTEGRATION),
    )
    warehouse_return_received = strawberry.mutation(
        resolver=integrations.warehouse_return_received,
        description="Warehouse: returned items arrived; approves their return.",
        extensions=requires(Permission.INTEGRATION),
    )
    warehouse_order_released = strawberry.mutation(
        resolver=fulfilment.warehouse_order_released,
        description="Warehouse: the order was released for fulfilment (ORDER_REVIEW → RELEASED).",
        extensions=requires(Permission.INTEGRATION),
    )
    warehouse_lines_shipped = strawberry.mutation(
        resolver=fulfilment.warehouse_lines_shipped,
        description="Warehouse: lines left in a parcel, with its carrier and tracking.",
        extensions=requires(Permission.INTEGRATION),
    )
    warehouse_lines_delivered = strawberry.mutation(
        resolver=fulfilment.warehouse_lines_delivered,
        description="Warehouse: the carrier delivered lines.",
        extensions=requires(Permission.INTEGRATION),
    )
    order_import = strawberry.mutation(
        resolver=integrations.order_import,
        description="Storefront: a new order (same rules as `csdesk import orders`).",
        extensions=requires(Permission.INTEGRATION),
    )
    catalog_upsert = strawberry.mutation(
        resolver=catalog_intake.catalog_upsert,
        description="Storefront or ERP: stores, sources, styles and SKUs, by code (same rules "
        "as `csdesk import catalog`).",
        extensions=requires(Permission.INTEGRATION),
    )
    stock_levels_set = strawberry.mutation(
        resolver=catalog_intake.stock_levels_set,
        description="Stock system: units available per store and SKU (same rules as "
        "`csdesk import stock`).",
        extensions=requires(Permission.INTEGRATION),
    )
    # Follow-ups: who may do what is decided per follow-up (resolvers/followups.py).
    follow_up_create = strawberry.mutation(
        resolver=followups.follow_up_create,
        description="Note a customer to contact, by when and by whom.",
        extensions=requires(Permission.COMMENT_ADD),
    )
    follow_up_complete = strawberry.mutation(
        resolver=followups.follow_up_complete,
        description="The customer was contacted.",
        extensions=requires(Permission.COMMENT_ADD),
    )
    follow_up_reassign = strawberry.mutation(
        resolver=followups.follow_up_reassign,
        description="Hand a follow-up to another user (supervisors).",
        extensions=requires(Permission.COMMENT_ADD),
    )
    follow_up_cancel = strawberry.mutation(
        resolver=followups.follow_up_cancel,
        description="No contact needed after all.",
        extensions=requires(Permission.COMMENT_ADD),
    )
