"""The append-only, chronological timeline of an order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column, utcnow
from models.enums import ActorKind, HistoryKind


class HistoryEntry(Base):
    __tablename__ = "history_entry"
    __table_args__ = (Index("ix_history_entry_order_id_at_id", "order_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[HistoryKind] = mapped_column(enum_column(HistoryKind))
    message: Mapped[str] = mapped_column(Text)
    actor_kind: Mapped[ActorKind] = mapped_column(enum_column(ActorKind))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # For integration and system actors: "warehouse", "payment", "storefront", "system".
    actor_label: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    related_order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"))
