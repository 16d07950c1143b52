"""Post-sales actions, the lines they act on, and the refund ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column, utcnow
from models.enums import ActionKind, ActionStatus, Disposition, RefundKind, RefundStatus


class PostsalesAction(Base):
    __tablename__ = "postsales_action"
    __table_args__ = (
        Index("ix_postsales_action_kind_status_created_at", "kind", "status", "created_at"),
        Index("ix_postsales_action_store_id_created_at", "store_id", "created_at"),
        # The approval queue and the ageing filters: status, then store, then age.
        Index("ix_postsales_action_status_store_id_created_at", "status", "store_id", "created_at"),
        # An agent's appeasements of the day (the daily limit).
        Index("ix_postsales_action_created_by_id_created_at", "created_by_id", "created_at"),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)
    # The order's store, copied: the post-sales queue's store scope filters on it.
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    kind: Mapped[ActionKind] = mapped_column(enum_column(ActionKind))
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus))
    # Net amount refunded by the action (appeasement amount, return refund), when it refunds.
    amount: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    return_source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))
    resulting_order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"))
    # Returns created by an exchange close without a refund.
    no_refund: Mapped[bool] = mapped_column(default=False)
    # Four-eyes approval of an appeasement above its creator's limit: who approved or
    # rejected it, when, and why (resolvers.actions.appeasement_review); approval_reason is
    # the limit it went over (resolvers.limits.ApprovalReason), null when none.
    approval_reason: Mapped[str | None] = mapped_column(String(32))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)


class PostsalesActionLine(Base):
    __tablename__ = "postsales_action_line"

    action_id: Mapped[int] = mapped_column(ForeignKey("postsales_action.id"), primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("line.id"), primary_key=True, index=True)
    reason_code: Mapped[str | None] = mapped_column(String(64))
    # Exchanges: the SKU the line is exchanged for.
    new_sku_id: Mapped[int | None] = mapped_column(ForeignKey("sku.id"))
    # Returns: when the warehouse received the item, and what it did with it.
    received_at: Mapped[dt.datetime | None]
    disposition: Mapped[Disposition | None] = mapped_column(enum_column(Disposition))


class Refund(Base):
    """One draw on a line's remaining refundable net: net, tax at the line's rate, gross; or,
    without a line, on the order's shipping charge (a shipping appeasement: no tax)."""

    __tablename__ = "refund"
    __table_args__ = (
        CheckConstraint("net > 0", name="net_positive"),
        CheckConstraint("tax >= 0", name="tax_not_negative"),
        CheckConstraint("gross = net + tax", name="gross_is_net_plus_tax"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("line.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("postsales_action.id"), index=True)
    # A refund that failed and was sent again: the new refund names the failed one.
    retry_of_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"), unique=True)
    kind: Mapped[RefundKind] = mapped_column(enum_column(RefundKind))
    status: Mapped[RefundStatus] = mapped_column(enum_column(RefundStatus))
    net: Mapped[Decimal]
    tax: Mapped[Decimal]
    gross: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
