"""The catalogue: styles (parent SKUs), their child SKUs, and stock per store."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Style(Base):
    __tablename__ = "style"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Sku(Base):
    __tablename__ = "sku"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("style.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    image_url: Mapped[str | None] = mapped_column(String(500))
    # List price in the catalogue's base terms; orders snapshot their own prices.
    list_price: Mapped[Decimal]


class Inventory(Base):
    """Available quantity of one SKU in one store; never negative."""

    __tablename__ = "inventory"
    __table_args__ = (CheckConstraint("available >= 0", name="available_not_negative"),)

    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"), primary_key=True, index=True)
    available: Mapped[int] = mapped_column(default=0)
