"""Orders made to measure for tests, in a database that has the demo reference data."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Customer, HistoryEntry, Line, Order, PostsalesAction, Sku, Source, Store
from models.enums import (
    ActionKind,
    ActionStatus,
    ActorKind,
    CustomerType,
    HistoryKind,
    LineStatus,
    OrderStatus,
    OrderType,
)
from resolvers.order_fields import line_amounts, order_totals, search_keys

_seq = itertools.count(1)
# Where each demo store's lines ship from.
DEFAULT_SOURCE = {"UK": "LON-WH", "DE": "BER-WH", "US": "NJ-WH", "FR": "BER-WH"}

LINE_FOR_ORDER = {
    OrderStatus.ORDER_REVIEW: LineStatus.ORDERED,
    OrderStatus.RELEASED: LineStatus.ORDERED,
    OrderStatus.SHIPPED: LineStatus.SHIPPED,
    OrderStatus.DELIVERED: LineStatus.DELIVERED,
    OrderStatus.CANCELLED: LineStatus.CANCELLED,
}


async def make_order(
    session: AsyncSession,
    *,
    store: str = "UK",
    name: str = "Test Customer",
    email: str | None = None,
    phone: str | None = "+44 7700 900999",
    reference: str | None = None,
    purchased_at: dt.datetime | None = None,
    status: OrderStatus = OrderStatus.DELIVERED,
    order_type: OrderType = OrderType.NORMAL,
    lines: int = 2,
    price: Decimal = Decimal("50.00"),
    tax_rate: Decimal = Decimal("0.20"),
    **fields: Any,
) -> Order:
    """An order with ``lines`` lines and an ORDER_PLACED history entry; ``fields`` override
    any Order column (e.g. shipping_postal_code="SW1A 1AA")."""
    n = next(_seq)
    store_row = (await session.scalars(select(Store).where(Store.code == store))).one()
    sku = (await session.scalars(select(Sku).order_by(Sku.id).limit(1))).one()
    source_id = await session.scalar(
        select(Source.id).where(Source.code == DEFAULT_SOURCE.get(store, "LON-WH"))
    )
    customer = Customer(
        external_id=f"TEST-C{n:06d}",
        type=CustomerType.REGISTERED,
        name=name,
        email=email or f"test.customer{n}@example.org",
        phone=phone,
    )
    session.add(customer)
    await session.flush()
    seq = int(await session.scalar(select(func.max(Order.number_seq))) or 100000) + 1
    values: dict[str, Any] = {
        "number": str(seq),
        "number_seq": seq,
        "client_reference": reference or f"TST-{n:06d}",
        "store_id": store_row.id,
        "purchased_at": purchased_at or dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC),
        "language": store_row.language,
        "vat_country": store_row.vat_country,
        "currency": store_row.currency,
        "customer_id": customer.id,
        "customer_type": customer.type,
        "customer_name": name,
        "customer_email": customer.email,
        "customer_phone": phone,
        "order_type": order_type,
        "status": status,
        "shipping_name": name,
        "shipping_line1": "1 Test Street",
        "shipping_line2": None,
        "shipping_city": "London",
        "shipping_region": None,
        "shipping_postal_code": "EC1A 1BB",
        "shipping_country": "GB",
        "shipping_phone": None,
        "shipping_method": "Standard",
        "billing_name": name,
        "billing_line1": "1 Test Street",
        "billing_line2": None,
        "billing_city": "London",
        "billing_region": None,
        "billing_postal_code": "EC1A 1BB",
        "billing_country": "GB",
        "billing_phone": None,
        "payment_method": "Visa •••• 4242",
    }
    values.update(fields)
    amounts = [line_amounts(price, Decimal(0), tax_rate, store_row.currency) for _ in range(lines)]
    totals = order_totals(amounts, Decimal("4.95"), store_row.currency)
    order = Order(**values, **totals, amount_due=totals["grand_total"], **search_keys(values))
    session.add(order)
    await session.flush()
    for i, a in enumerate(amounts, start=1):
        session.add(
            Line(
                order_id=order.id,
                number=i,
                sku_id=sku.id,
                sku_code=sku.code,
                product_name=sku.name,
                image_url=sku.image_url,
                tax_rate=tax_rate,
                status=LINE_FOR_ORDER[status],
                source_id=source_id,
                **a,
            )
        )
    session.add(
        HistoryEntry(
            order_id=order.id,
            at=order.purchased_at,
            kind=HistoryKind.ORDER_PLACED,
            message="Order placed",
            actor_kind=ActorKind.SYSTEM,
            actor_label="storefront",
        )
    )
    await session.flush()
    return order


async def add_action(
    session: AsyncSession, order: Order, kind: ActionKind, status: ActionStatus
) -> PostsalesAction:
    action = PostsalesAction(
        order_id=order.id,
        store_id=order.store_id,
        kind=kind,
        status=status,
        currency=order.currency,
        amount=Decimal("1.00") if kind is ActionKind.APPEASEMENT else None,
        created_at=order.purchased_at + dt.timedelta(days=3),
        updated_at=order.purchased_at + dt.timedelta(days=3),
    )
    session.add(action)
    await session.flush()
    return action
