"""An order record read into a typed draft, without the database: every field checked
against docs/import-format.md, every problem recorded with its path.

What needs the database (the store and its currency, the SKUs and sources, the amounts'
precision in that currency, the totals) is checked by ``resolvers.intake.orders``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from models import CustomerType
from resolvers.errors import Problem
from resolvers.intake.reader import COUNTRY, CURRENCY, EMAIL, LANGUAGE, Path, Reader, Record

MAX_UNITS = 999

ORDER_FIELDS = frozenset(
    {"clientReference", "store", "purchasedAt", "language", "customer", "shippingAddress",
     "billingAddress", "shippingMethod", "paymentMethod", "shippingAmount", "currency",
     "grandTotal", "lines"}
)  # fmt: skip
CUSTOMER_FIELDS = frozenset({"id", "type", "name", "email", "phone"})
ADDRESS_FIELDS = frozenset(
    {"name", "line1", "line2", "city", "region", "postalCode", "country", "phone"}
)
LINE_FIELDS = frozenset({"sku", "quantity", "unitPrice", "discount", "taxRate", "source"})


@dataclass(frozen=True)
class CustomerDraft:
    external_id: str | None
    type: CustomerType | None
    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class AddressDraft:
    name: str | None
    line1: str | None
    line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    phone: str | None

    def columns(self, prefix: str) -> dict[str, str | None]:
        """The order columns of this address: ``shipping_name``, ``shipping_line1``, …"""
        return {
            f"{prefix}_name": self.name,
            f"{prefix}_line1": self.line1,
            f"{prefix}_line2": self.line2,
            f"{prefix}_city": self.city,
            f"{prefix}_region": self.region,
            f"{prefix}_postal_code": self.postal_code,
            f"{prefix}_country": self.country,
            f"{prefix}_phone": self.phone,
        }


@dataclass(frozen=True)
class LineDraft:
    """One line of the record: ``quantity`` units of one SKU."""

    path: Path
    sku: str | None
    source: str | None
    price: Decimal | None
    discount: Decimal
    tax_rate: Decimal | None
    quantity: int


@dataclass
class OrderDraft:
    """The record's values, and every problem found in them. When ``problems`` is empty
    every required value is present."""

    problems: list[Problem] = field(default_factory=list)
    client_reference: str | None = None
    store_code: str | None = None
    purchased_at: dt.datetime | None = None
    language: str | None = None
    currency: str | None = None
    shipping_method: str | None = None
    payment_method: str | None = None
    shipping_amount: Decimal | None = None
    grand_total: Decimal | None = None
    customer: CustomerDraft | None = None
    shipping_address: AddressDraft | None = None
    billing_address: AddressDraft | None = None
    lines: list[LineDraft] = field(default_factory=list)
    # Every amount read, with its path: their precision depends on the store's currency.
    amounts: list[tuple[Path, Decimal]] = field(default_factory=list)

    def order_columns(self) -> dict[str, Any]:
        """The Order column values the record gives (the rest are derived on import)."""
        assert self.customer is not None
        assert self.shipping_address is not None and self.billing_address is not None
        return {
            "client_reference": self.client_reference,
            "purchased_at": self.purchased_at,
            "currency": self.currency,
            "shipping_method": self.shipping_method,
            "payment_method": self.payment_method,
            "customer_type": self.customer.type,
            "customer_name": self.customer.name,
            "customer_email": self.customer.email,
            "customer_phone": self.customer.phone,
            **self.shipping_address.columns("shipping"),
            **self.billing_address.columns("billing"),
        }


def read_order(record: Record) -> OrderDraft:
    """The draft of one order record; its ``problems`` say what is wrong with it."""
    return _OrderReader().read(record)


class _OrderReader(Reader):
    def __init__(self) -> None:
        super().__init__()
        self.amounts: list[tuple[Path, Decimal]] = []

    def money(
        self, obj: Record, path: Path, key: str, *, required: bool = True, positive: bool = False
    ) -> Decimal | None:
        value = self.amount(obj, path, key, required=required, positive=positive)
        if value is not None:
            self.amounts.append(((*path, key), value))
        return value

    def read(self, record: Record) -> OrderDraft:
        self.known(record, (), ORDER_FIELDS)
        draft = OrderDraft(
            client_reference=self.text(record, (), "clientReference", 64),
            store_code=self.text(record, (), "store", 16),
            purchased_at=self.instant(record, (), "purchasedAt"),
            language=self.text(record, (), "language", 8, required=False, pattern=LANGUAGE),
            currency=self.text(record, (), "currency", 3, pattern=CURRENCY),
            shipping_method=self.text(record, (), "shippingMethod", 64),
            payment_method=self.text(record, (), "paymentMethod", 64),
            shipping_amount=self.money(record, (), "shippingAmount"),
            grand_total=self.money(record, (), "grandTotal", required=False),
            customer=self.customer(record),
            shipping_address=self.address(record, "shippingAddress"),
            billing_address=self.address(record, "billingAddress"),
            lines=self.lines(record),
        )
        draft.problems = self.problems
        draft.amounts = self.amounts
        return draft

    def customer(self, record: Record) -> CustomerDraft | None:
        c = self.object(record, (), "customer", CUSTOMER_FIELDS)
        if c is None:
            return None
        path: Path = ("customer",)
        external_id = self.text(c, path, "id", 64)
        kind = self.text(c, path, "type", 16)
        if kind is not None and kind not in CustomerType.__members__:
            self.add((*path, "type"), f'"{kind}" is not GUEST, REGISTERED or B2B')
            kind = None
        return CustomerDraft(
            external_id=external_id,
            type=CustomerType(kind) if kind is not None else None,
            name=self.text(c, path, "name", 200),
            email=self.text(c, path, "email", 254, pattern=EMAIL),
            phone=self.phone(c, path),
        )

    def address(self, record: Record, key: str) -> AddressDraft | None:
        a = self.object(record, (), key, ADDRESS_FIELDS)
        if a is None:
            return None
        path: Path = (key,)
        name = self.text(a, path, "name", 200)
        line1 = self.text(a, path, "line1", 200)
        line2 = self.text(a, path, "line2", 200, required=False)
        city = self.text(a, path, "city", 120)
        region = self.text(a, path, "region", 120, required=False)
        postal_code = self.text(a, path, "postalCode", 20)
        country = self.text(a, path, "country", 2, pattern=COUNTRY)
        return AddressDraft(
            name=name,
            line1=line1,
            line2=line2,
            city=city,
            region=region,
            postal_code=postal_code,
            country=country.upper() if country else None,
            phone=self.phone(a, path),
        )

    def lines(self, record: Record) -> list[LineDraft]:
        lines = record.get("lines")
        if lines is None:
            self.add(("lines",), "missing", "MISSING")
            return []
        if not isinstance(lines, list) or not lines:
            self.add(("lines",), "expected a non-empty array of lines")
            return []
        out: list[LineDraft] = []
        for i, line in enumerate(lines):
            path: Path = ("lines", i)
            if not isinstance(line, dict):
                self.add(path, "expected an object")
                continue
            self.known(line, path, LINE_FIELDS)
            quantity = self.whole(line, path, "quantity", 1, MAX_UNITS)
            sku = self.text(line, path, "sku", 48)
            source = self.text(line, path, "source", 32, required=False)
            price = self.money(line, path, "unitPrice", positive=True)
            discount = self.money(line, path, "discount", required=False) or Decimal(0)
            tax_rate = self.tax_rate(line, path)
            if price is not None and discount > price:
                self.add((*path, "discount"), f"{discount} is more than the unit price")
            out.append(LineDraft(path, sku, source, price, discount, tax_rate, quantity or 0))
        units = sum(line.quantity for line in out)
        if units > MAX_UNITS:
            self.add(("lines",), f"{units} units; at most {MAX_UNITS} per order")
        return out
