"""Customers as the storefront knows them."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column
from models.enums import CustomerType


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The storefront's customer id, shown to agents as "Customer ID".
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[CustomerType] = mapped_column(enum_column(CustomerType))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
