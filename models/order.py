"""The order aggregate: Order and its Lines (one line per unit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, enum_column, utcnow
from models.enums import CustomerType, LineStatus, OrderStatus, OrderType


class Order(Base):
    __tablename__ = "order"
    __table_args__ = (
        Index("ix_order_purchased_at_id", "purchased_at", "id"),
        Index("ix_order_grand_total_id", "grand_total", "id"),
        Index("ix_order_store_id_purchased_at", "store_id", "purchased_at"),
        # Prefix searches (LIKE 'abc%') use these on PostgreSQL whatever the collation.
        *(
            Index(f"ix_order_{col}", col, postgresql_ops={col: "text_pattern_ops"})
            for col in ("reference_key", "email_key", "number")
        ),
        # Postal codes with the store beside them: a short prefix's range holds many orders
        # of other stores, checked in the index rather than read (migration 0008).
        *(
            Index(
                f"ix_order_{col}_store_id",
                col,
                "store_id",
                postgresql_ops={col: "text_pattern_ops"},
            )
            for col in ("billing_postal_key", "shipping_postal_key")
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("shipping_refundable >= 0", name="shipping_refundable_not_negative"),
        CheckConstraint(
            "shipping_refundable <= shipping_amount", name="shipping_refundable_within_shipping"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public order number: "100045", "100045-E1", "100045-R2".
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # Numeric part of the number, for sorting and sequencing: 100045 for 100045-E1 too.
    number_seq: Mapped[int] = mapped_column(index=True)
    client_reference: Mapped[str | None] = mapped_column(String(64))
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    purchased_at: Mapped[dt.datetime]
    language: Mapped[str] = mapped_column(String(8))
    vat_country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    customer_type: Mapped[CustomerType] = mapped_column(enum_column(CustomerType))
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_email: Mapped[str] = mapped_column(String(254))
    customer_phone: Mapped[str | None] = mapped_column(String(40))

    order_type: Mapped[OrderType] = mapped_column(enum_column(OrderType), index=True)
    origin_order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), index=True)

    shipping_name: Mapped[str] = mapped_column(String(200))
    shipping_line1: Mapped[str] = mapped_column(String(200))
    shipping_line2: Mapped[str | None] = mapped_column(String(200))
    shipping_city: Mapped[str] = mapped_column(String(120))
    shipping_region: Mapped[str | None] = mapped_column(String(120))
    shipping_postal_code: Mapped[str] = mapped_column(String(20))
    shipping_country: Mapped[str] = mapped_column(String(2))
    shipping_phone: Mapped[str | None] = mapped_column(String(40))
    shipping_method: Mapped[str] = mapped_column(String(64))

    billing_name: Mapped[str] = mapped_column(String(200))
    billing_line1: Mapped[str] = mapped_column(String(200))
    billing_line2: Mapped[str | None] = mapped_column(String(200))
    billing_city: Mapped[str] = mapped_column(String(120))
    billing_region: Mapped[str | None] = mapped_column(String(120))
    billing_postal_code: Mapped[str] = mapped_column(String(20))
    billing_country: Mapped[str] = mapped_column(String(2))
    billing_phone: Mapped[str | None] = mapped_column(String(40))
    payment_method: Mapped[str] = mapped_column(String(64))

    # Totals derived from the lines plus the shipping charge, kept for the queue's sort.
    subtotal: Mapped[Decimal]
    discount_total: Mapped[Decimal]
    net_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    shipping_amount: Mapped[Decimal]
    grand_total: Mapped[Decimal]
    amount_due: Mapped[Decimal]
    # The shipping refund ledger: the shipping charge minus every shipping refund that is not
    # cancelled nor failed (resolvers.shipping_ledger).
    shipping_refundable: Mapped[Decimal]

    # Normalised search keys, written with the order (resolvers.normalize).
    reference_key: Mapped[str | None] = mapped_column(String(64))
    email_key: Mapped[str] = mapped_column(String(254))
    phone_key: Mapped[str | None] = mapped_column(String(40), index=True)
    # The address phones, normalised like phone_key: telephone search covers them too.
    billing_phone_key: Mapped[str | None] = mapped_column(String(40), index=True)
    shipping_phone_key: Mapped[str | None] = mapped_column(String(40), index=True)
    billing_postal_key: Mapped[str] = mapped_column(String(20))
    shipping_postal_key: Mapped[str] = mapped_column(String(20))
    # Case- and accent-folded customer, billing and shipping names, space separated.
    name_key: Mapped[str] = mapped_column(String(620))
    billing_address_key: Mapped[str] = mapped_column(String(500))
    shipping_address_key: Mapped[str] = mapped_column(String(500))

    exchange_count: Mapped[int] = mapped_column(default=0)
    reshipment_count: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[Line]] = relationship(
        back_populates="order", lazy="raise", order_by="Line.number"
    )


class Line(Base):
    """One unit of one SKU on an order; every post-sales action acts on whole lines."""

    __tablename__ = "line"
    __table_args__ = (
        UniqueConstraint("order_id", "number"),
        CheckConstraint("refundable_net >= 0", name="refundable_not_negative"),
        CheckConstraint("refundable_net <= net_amount", name="refundable_within_net"),
        CheckConstraint("net_amount >= 0", name="net_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"))
    number: Mapped[int]
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"), index=True)
    sku_code: Mapped[str] = mapped_column(String(48))
    product_name: Mapped[str] = mapped_column(String(200))
    image_url: Mapped[str | None] = mapped_column(String(500))
    original_price: Mapped[Decimal]
    discount: Mapped[Decimal]
    net_amount: Mapped[Decimal]
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    tax: Mapped[Decimal]
    total: Mapped[Decimal]
    status: Mapped[LineStatus] = mapped_column(enum_column(LineStatus))
    # Status to restore when an open return on this line is cancelled.
    status_before_return: Mapped[LineStatus | None] = mapped_column(enum_column(LineStatus))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))
    # The refund ledger: line net minus every refund on the line that is not cancelled.
    refundable_net: Mapped[Decimal]
    exchanged: Mapped[bool] = mapped_column(default=False)
    # Fulfilment: the parcel the line left in, and when the carrier delivered it.
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"), index=True)
    delivered_at: Mapped[dt.datetime | None]

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")


class Shipment(Base):
    """One parcel the warehouse shipped: carrier and tracking, and its lines (Line.shipment_id).

    ``delivered_at`` is set once every line of the parcel is reported delivered."""

    __tablename__ = "shipment"
    __table_args__ = (Index("ix_shipment_order_id_shipped_at", "order_id", "shipped_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"))
    carrier: Mapped[str] = mapped_column(String(64))
    tracking_number: Mapped[str] = mapped_column(String(64))
    tracking_url: Mapped[str | None] = mapped_column(String(500))
    shipped_at: Mapped[dt.datetime]
    delivered_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
