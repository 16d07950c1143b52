"""Enumerations of the domain (statuses, kinds, permissions), shared by models and schema."""

from __future__ import annotations

import enum


class OrderStatus(enum.StrEnum):
    ORDER_REVIEW = "ORDER_REVIEW"
    RELEASED = "RELEASED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class OrderType(enum.StrEnum):
    NORMAL = "NORMAL"
    EXCHANGE = "EXCHANGE"
    RESHIPMENT = "RESHIPMENT"


class LineStatus(enum.StrEnum):
    ORDERED = "ORDERED"
    CANCELLED = "CANCELLED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    RETURN_REQUESTED = "RETURN_REQUESTED"
    RETURNED = "RETURNED"


class CustomerType(enum.StrEnum):
    GUEST = "GUEST"
    REGISTERED = "REGISTERED"
    B2B = "B2B"


class ActionKind(enum.StrEnum):
    APPEASEMENT = "APPEASEMENT"
    RETURN = "RETURN"
    EXCHANGE = "EXCHANGE"
    RESHIPMENT = "RESHIPMENT"
    CANCELLATION = "CANCELLATION"


class ActionStatus(enum.StrEnum):
    """Status of a post-sales action.

    Appeasements use REQUESTED → PENDING_RELEASE → RELEASED (or CANCELLED), and FAILED when
    the payment system could not release the refund (retried back to REQUESTED, or
    cancelled); one above its creator's limit starts AWAITING_APPROVAL (→ REQUESTED when a
    second user approves it, REJECTED when one rejects it, or CANCELLED); returns use
    REQUESTED → APPROVED (or CANCELLED); exchanges, reshipments and cancellations are
    COMPLETED when created.
    """

    REQUESTED = "REQUESTED"
    PENDING_RELEASE = "PENDING_RELEASE"
    RELEASED = "RELEASED"
    APPROVED = "APPROVED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    REJECTED = "REJECTED"


class RefundKind(enum.StrEnum):
    APPEASEMENT = "APPEASEMENT"
    RETURN = "RETURN"
    VOID = "VOID"


class RefundStatus(enum.StrEnum):
    """RESERVED: drawn on the ledger for an appeasement awaiting approval, not yet sent to the
    payment system (approved → REQUESTED; rejected or cancelled → CANCELLED)."""

    RESERVED = "RESERVED"
    REQUESTED = "REQUESTED"
    PENDING_RELEASE = "PENDING_RELEASE"
    RELEASED = "RELEASED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class HistoryKind(enum.StrEnum):
    ORDER_PLACED = "ORDER_PLACED"
    STATUS_CHANGED = "STATUS_CHANGED"
    COMMENT = "COMMENT"
    CUSTOMER_EMAIL = "CUSTOMER_EMAIL"
    WAREHOUSE = "WAREHOUSE"
    PAYMENT = "PAYMENT"
    APPEASEMENT = "APPEASEMENT"
    RETURN = "RETURN"
    EXCHANGE = "EXCHANGE"
    RESHIPMENT = "RESHIPMENT"
    CANCELLATION = "CANCELLATION"
    # The shipping address or method changed (orderShippingUpdate).
    ORDER_CHANGED = "ORDER_CHANGED"
    # A follow-up was created, completed, reassigned or cancelled.
    FOLLOW_UP = "FOLLOW_UP"


class FollowUpStatus(enum.StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


class ActorKind(enum.StrEnum):
    USER = "USER"
    INTEGRATION = "INTEGRATION"
    SYSTEM = "SYSTEM"


class OutboxStatus(enum.StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    DEAD = "DEAD"


class Destination(enum.StrEnum):
    """Where an outbox message goes; the worker maps each to one channel (worker/channels.py)."""

    EMAIL = "EMAIL"  # the customer
    PAYMENT = "PAYMENT"  # the payment system
    WAREHOUSE = "WAREHOUSE"  # the warehouse
    SIMULATOR = "SIMULATOR"  # the demo's payment system (CSDESK_PAYMENT_SIMULATOR)


class Permission(enum.StrEnum):
    ORDER_VIEW = "ORDER_VIEW"
    COMMENT_ADD = "COMMENT_ADD"
    EXCHANGE_CREATE = "EXCHANGE_CREATE"
    RESHIPMENT_CREATE = "RESHIPMENT_CREATE"
    APPEASEMENT_CREATE = "APPEASEMENT_CREATE"
    APPEASEMENT_CANCEL = "APPEASEMENT_CANCEL"
    # Approve or reject appeasements above their creator's limits (never one's own).
    APPEASEMENT_APPROVE = "APPEASEMENT_APPROVE"
    RETURN_CREATE = "RETURN_CREATE"
    RETURN_APPROVE = "RETURN_APPROVE"
    RETURN_CANCEL = "RETURN_CANCEL"
    ORDER_CANCEL = "ORDER_CANCEL"
    ORDER_EDIT = "ORDER_EDIT"
    REFUND_RETRY = "REFUND_RETRY"
    USER_MANAGE = "USER_MANAGE"
    SETTINGS_MANAGE = "SETTINGS_MANAGE"
    INTEGRATION = "INTEGRATION"
    # Production: introspection and "Did you mean" suggestions for this role (schema/exposure.py).
    SCHEMA_INTROSPECT = "SCHEMA_INTROSPECT"


class Disposition(enum.StrEnum):
    """What the warehouse did with a returned item: back on the shelf, or written off."""

    RESTOCK = "RESTOCK"
    DAMAGED = "DAMAGED"


class StoreAccess(enum.StrEnum):
    NONE = "NONE"
    ALL = "ALL"
    SPECIFIC = "SPECIFIC"


class TokenKind(enum.StrEnum):
    SESSION = "SESSION"
    API = "API"
