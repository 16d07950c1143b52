"""Follow-ups: customers that have to be contacted, by whom and when."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column, utcnow
from models.enums import FollowUpStatus


class FollowUp(Base):
    """A reminder on an order: contact the customer by ``due_at``; OPEN until completed or
    cancelled. ``store_id`` is the order's, kept here for the store-scoped lists."""

    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_assignee_id_status_due_at", "assignee_id", "status", "due_at"),
        Index("ix_follow_up_store_id_status_due_at", "store_id", "status", "due_at"),
        Index("ix_follow_up_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    due_at: Mapped[dt.datetime]
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[FollowUpStatus] = mapped_column(enum_column(FollowUpStatus))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Who completed or cancelled it, and when.
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
