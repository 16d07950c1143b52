"""Order intake: validate one storefront order record and create the order it describes.

Used by ``csdesk import orders`` and the ``orderImport`` mutation: the caller owns the
transaction (one per record); a rejected record raises :class:`IntakeRejected` carrying
every problem found, so that the transaction rolls back and nothing of it is written.
The format is documented in ``docs/import-format.md``.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.money import has_currency_precision, minor_units
from models import (
    ActorKind,
    Customer,
    CustomerType,
    HistoryEntry,
    HistoryKind,
    Line,
    LineStatus,
    Order,
    OrderStatus,
    OrderType,
    Sku,
    Source,
    Store,
)
from resolvers.errors import IntakeRejected, Problem
from resolvers.normalize import reference_key
from resolvers.order_fields import line_amounts, order_totals, search_keys

FIRST_NUMBER = 100001
MAX_UNITS = 999
MAX_AMOUNT = Decimal(10) ** 12
ACTOR_LABEL = "storefront"
_NUMBER_ATTEMPTS = 10
# PostgreSQL advisory lock keys (space, key) of intake; key 0 guards the order numbering.
_LOCK_SPACE = 7700
_NUMBERING_LOCK = 0
_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
# Patterns of text fields, with what a value must be, for the message when it is not.
_EMAIL = (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "an email address")
_PHONE = (re.compile(r"\+?[0-9 ()./-]+"), "a phone number (digits, spaces, + ( ) - . /)")
_COUNTRY = (re.compile(r"[A-Za-z]{2}"), 'an ISO 3166-1 alpha-2 country code such as "GB"')
_CURRENCY = (re.compile(r"[A-Z]{3}"), 'an ISO 4217 currency code such as "EUR"')
_LANGUAGE = (re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?"), 'a language tag such as "de"')

Path = tuple[str | int, ...]

_ORDER_FIELDS = frozenset(
    {"clientReference", "store", "purchasedAt", "language", "customer", "shippingAddress",
     "billingAddress", "shippingMethod", "paymentMethod", "shippingAmount", "currency",
     "grandTotal", "lines"}
)  # fmt: skip
_CUSTOMER_FIELDS = frozenset({"id", "type", "name", "email", "phone"})
_ADDRESS_FIELDS = frozenset(
    {"name", "line1", "line2", "city", "region", "postalCode", "country", "phone"}
)
_LINE_FIELDS = frozenset({"sku", "quantity", "unitPrice", "discount", "taxRate", "source"})


class Outcome(enum.StrEnum):
    IMPORTED = "IMPORTED"
    SKIPPED = "SKIPPED"  # the client reference is already imported
    VALID = "VALID"  # dry run: would be imported


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    client_reference: str
    # The new order's number, or the existing one's when skipped; None in a dry run.
    order_number: str | None = None
    order_id: int | None = None


def parse_record(text: str) -> dict[str, Any]:
    """One JSON object, numbers as Decimal (never float); IntakeRejected otherwise."""

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number")

    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=no_constant)
    except ValueError as exc:
        raise IntakeRejected.of([Problem((), f"not valid JSON: {exc}", "INVALID_JSON")]) from None
    if not isinstance(value, dict):
        raise IntakeRejected.of([Problem((), "expected a JSON object", "INVALID_JSON")])
    return value


async def import_order(
    session: AsyncSession, record: Mapping[str, Any], *, dry_run: bool = False
) -> IntakeResult:
    """Create the order of ``record`` in ``session``'s transaction, or skip it when its client
    reference is already imported; raise IntakeRejected when it is invalid.

    With ``dry_run`` everything is checked and nothing is written."""
    draft = _Draft()
    draft.read(record)
    ref = draft.order.get("client_reference")
    if ref is not None:
        if not dry_run:
            await _lock_reference(session, ref)
        existing = await _existing_number(session, ref)
        if existing is not None:
            return IntakeResult(Outcome.SKIPPED, ref, existing)
    await draft.resolve(session)
    if not draft.problems:
        draft.build()
    if draft.problems:
        raise IntakeRejected.of(draft.problems)
    assert ref is not None
    if dry_run:
        return IntakeResult(Outcome.VALID, ref)
    try:
        order = await _create(session, draft)
    except _AlreadyImported as exc:
        return IntakeResult(Outcome.SKIPPED, ref, exc.number)
    return IntakeResult(Outcome.IMPORTED, ref, order.number, order.id)


@dataclass
class _Draft:
    """The record read into Order and Line column values, and the problems found."""

    problems: list[Problem] = field(default_factory=list)
    order: dict[str, Any] = field(default_factory=dict)
    store_code: str | None = None
    customer_id: str | None = None
    grand_total: Decimal | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    amounts: list[tuple[Path, Decimal]] = field(default_factory=list)
    store: Store | None = None
    skus: dict[str, Sku] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    units: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)

    def add(self, path: Path, reason: str, code: str = "INVALID") -> None:
        self.problems.append(Problem(path, reason, code))

    # -- reading, without the database ---------------------------------------------------

    def read(self, record: Mapping[str, Any]) -> None:
        self._known(record, (), _ORDER_FIELDS)
        o = self.order
        o["client_reference"] = self._text(record, (), "clientReference", 64)
        self.store_code = self._text(record, (), "store", 16)
        o["purchased_at"] = self._instant(record, "purchasedAt")
        o["language"] = self._text(record, (), "language", 8, required=False, pattern=_LANGUAGE)
        o["currency"] = self._text(record, (), "currency", 3, pattern=_CURRENCY)
        o["shipping_method"] = self._text(record, (), "shippingMethod", 64)
        o["payment_method"] = self._text(record, (), "paymentMethod", 64)
        o["shipping_amount"] = self._amount(record, (), "shippingAmount")
        self.grand_total = self._amount(record, (), "grandTotal", required=False)
        self._customer(record)
        for prefix, key in (("shipping", "shippingAddress"), ("billing", "billingAddress")):
            self._address(record, key, prefix)
        self._lines(record)

    def _customer(self, record: Mapping[str, Any]) -> None:
        c = self._object(record, (), "customer", _CUSTOMER_FIELDS)
        if c is None:
            return
        path: Path = ("customer",)
        self.customer_id = self._text(c, path, "id", 64)
        kind = self._text(c, path, "type", 16)
        if kind is not None and kind not in CustomerType.__members__:
            self.add((*path, "type"), f'"{kind}" is not GUEST, REGISTERED or B2B')
        elif kind is not None:
            self.order["customer_type"] = CustomerType(kind)
        self.order["customer_name"] = self._text(c, path, "name", 200)
        self.order["customer_email"] = self._text(c, path, "email", 254, pattern=_EMAIL)
        self.order["customer_phone"] = self._phone(c, path)

    def _address(self, record: Mapping[str, Any], key: str, prefix: str) -> None:
        a = self._object(record, (), key, _ADDRESS_FIELDS)
        if a is None:
            return
        path: Path = (key,)
        o = self.order
        o[f"{prefix}_name"] = self._text(a, path, "name", 200)
        o[f"{prefix}_line1"] = self._text(a, path, "line1", 200)
        o[f"{prefix}_line2"] = self._text(a, path, "line2", 200, required=False)
        o[f"{prefix}_city"] = self._text(a, path, "city", 120)
        o[f"{prefix}_region"] = self._text(a, path, "region", 120, required=False)
        o[f"{prefix}_postal_code"] = self._text(a, path, "postalCode", 20)
        country = self._text(a, path, "country", 2, pattern=_COUNTRY)
        o[f"{prefix}_country"] = country.upper() if country else None
        o[f"{prefix}_phone"] = self._phone(a, path)

    def _lines(self, record: Mapping[str, Any]) -> None:
        lines = record.get("lines")
        if lines is None:
            self.add(("lines",), "missing", "MISSING")
            return
        if not isinstance(lines, list) or not lines:
            self.add(("lines",), "expected a non-empty array of lines")
            return
        units = 0
        for i, line in enumerate(lines):
            path: Path = ("lines", i)
            if not isinstance(line, dict):
                self.add(path, "expected an object")
                continue
            self._known(line, path, _LINE_FIELDS)
            quantity = self._quantity(line, path)
            item: dict[str, Any] = {
                "sku": self._text(line, path, "sku", 48),
                "source": self._text(line, path, "source", 32, required=False),
                "price": self._amount(line, path, "unitPrice", positive=True),
                "discount": self._amount(line, path, "discount", required=False) or Decimal(0),
                "tax_rate": self._tax_rate(line, path),
                "quantity": quantity or 0,
                "path": path,
            }
            if item["price"] is not None and item["discount"] > item["price"]:
                self.add((*path, "discount"), f"{item['discount']} is more than the unit price")
            units += item["quantity"]
            self.lines.append(item)
        if units > MAX_UNITS:
            self.add(("lines",), f"{units} units; at most {MAX_UNITS} per order")

    # -- field readers: each returns None and records a problem when the value is bad -------

    def _known(self, obj: Mapping[str, Any], path: Path, allowed: frozenset[str]) -> None:
        for key in obj:
            if key not in allowed:
                self.add((*path, key), "unknown field", "UNKNOWN_FIELD")

    def _object(
        self, obj: Mapping[str, Any], path: Path, key: str, allowed: frozenset[str]
    ) -> Mapping[str, Any] | None:
        value = obj.get(key)
        if value is None:
            self.add((*path, key), "missing", "MISSING")
            return None
        if not isinstance(value, dict):
            self.add((*path, key), "expected an object")
            return None
        self._known(value, (*path, key), allowed)
        return value

    def _text(
        self,
        obj: Mapping[str, Any],
        path: Path,
        key: str,
        max_length: int,
        *,
        required: bool = True,
        pattern: tuple[re.Pattern[str], str] | None = None,
    ) -> str | None:
        value = obj.get(key)
        where = (*path, key)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if required:
                self.add(where, "missing" if value is None else "must not be empty", "MISSING")
            return None
        if not isinstance(value, str):
            self.add(where, "expected a string")
        elif pattern is not None and not pattern[0].fullmatch(value):
            self.add(where, f'"{value[:60]}" is not {pattern[1]}')
        elif len(value) > max_length:
            self.add(where, f"longer than {max_length} characters")
        else:
            return value
        return None

    def _phone(self, obj: Mapping[str, Any], path: Path) -> str | None:
        phone = self._text(obj, path, "phone", 40, required=False, pattern=_PHONE)
        if phone is not None and sum(ch.isdigit() for ch in phone) < 4:
            self.add((*path, "phone"), f'"{phone}" has too few digits')
            return None
        return phone

    def _instant(self, obj: Mapping[str, Any], key: str) -> dt.datetime | None:
        raw = self._text(obj, (), key, 40)
        if raw is None:
            return None
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            self.add((key,), f'"{raw}" is not an ISO 8601 date and time')
            return None
        if value.tzinfo is None:
            self.add((key,), f'"{raw}" has no UTC offset (add "Z" or e.g. "+02:00")')
            return None
        value = value.astimezone(dt.UTC)
        if not _EARLIEST <= value <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
            self.add((key,), f'"{raw}" is before 2000 or in the future')
            return None
        return value

    def _decimal(
        self, obj: Mapping[str, Any], path: Path, key: str, required: bool
    ) -> Decimal | None:
        value = obj.get(key)
        where = (*path, key)
        if value is None:
            if required:
                self.add(where, "missing", "MISSING")
            return None
        if isinstance(value, float):
            self.add(where, "binary floating point is not accepted; use a decimal string")
        elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
            return Decimal(value.strip())
        elif isinstance(value, Decimal | int) and not isinstance(value, bool):
            return Decimal(value)
        else:
            self.add(where, f'expected a decimal number such as "19.99", got {value!r}')
        return None

    def _amount(
        self, obj: Mapping[str, Any], path: Path, key: str, *, required: bool = True,
        positive: bool = False,
    ) -> Decimal | None:  # fmt: skip
        where = (*path, key)
        value = self._decimal(obj, path, key, required)
        if value is None:
            return None
        if positive and value <= 0:
            self.add(where, f"{value} is not greater than 0")
        elif value < 0:
            self.add(where, f"{value} is negative")
        elif value >= MAX_AMOUNT:
            self.add(where, f"{value} is too large")
        else:
            # The precision depends on the store's currency: checked in resolve().
            self.amounts.append((where, value))
            return value
        return None

    def _tax_rate(self, obj: Mapping[str, Any], path: Path) -> Decimal | None:
        where = (*path, "taxRate")
        rate = self._decimal(obj, path, "taxRate", True)
        if rate is None:
            return None
        exponent = rate.normalize().as_tuple().exponent
        if not Decimal(0) <= rate < Decimal(1):
            self.add(where, f"{rate} is not between 0 and 1 (0.2 is 20 %)")
        elif isinstance(exponent, int) and exponent < -4:
            self.add(where, f"{rate} has more than 4 decimals")
        else:
            return rate
        return None

    def _quantity(self, obj: Mapping[str, Any], path: Path) -> int | None:
        value = obj.get("quantity")
        where = (*path, "quantity")
        if value is None:
            self.add(where, "missing", "MISSING")
        elif isinstance(value, bool) or not isinstance(value, int):
            self.add(where, f"expected a whole number, got {value!r}")
        elif not 1 <= value <= MAX_UNITS:
            self.add(where, f"{value} is not between 1 and {MAX_UNITS}")
        else:
            return value
        return None

    # -- checks against the database -------------------------------------------------------

    async def resolve(self, session: AsyncSession) -> None:
        """Look up the store, SKUs and sources; check the currency and amount precision."""
        currency = self.order.get("currency")
        if self.store_code is not None:
            self.store = await session.scalar(select(Store).where(Store.code == self.store_code))
            if self.store is None:
                self.add(("store",), f'unknown store "{self.store_code}"', "UNKNOWN_STORE")
            elif currency is not None and currency != self.store.currency:
                self.add(
                    ("currency",),
                    f"{currency} given, the {self.store.code} store sells in {self.store.currency}",
                    "CURRENCY_MISMATCH",
                )
            else:
                currency = self.store.currency
        if currency is not None:
            for where, amount in self.amounts:
                if not has_currency_precision(amount, currency):
                    self.add(
                        where,
                        f"{amount} has more decimals than {currency} allows "
                        f"({minor_units(currency)})",
                        "PRECISION",
                    )
        codes = {line["sku"] for line in self.lines if line["sku"] is not None}
        if codes:
            rows = await session.scalars(select(Sku).where(Sku.code.in_(codes)))
            self.skus = {sku.code: sku for sku in rows}
        self.sources = {s.code: s for s in await session.scalars(select(Source))}
        for line in self.lines:
            path = line["path"]
            if line["sku"] is not None and line["sku"] not in self.skus:
                self.add((*path, "sku"), f'unknown SKU "{line["sku"]}"', "UNKNOWN_SKU")
            if line["source"] is not None and line["source"] not in self.sources:
                self.add((*path, "source"), f'unknown source "{line["source"]}"', "UNKNOWN_SOURCE")

    def build(self) -> None:
        """Expand the lines into one line per unit and compute the order totals."""
        assert self.store is not None
        currency = self.store.currency
        first = min(self.sources.values(), key=lambda s: s.id, default=None)
        for line in self.lines:
            sku = self.skus[line["sku"]]
            source = self.sources[line["source"]] if line["source"] else first
            amounts = line_amounts(line["price"], line["discount"], line["tax_rate"], currency)
            unit = {
                "sku_id": sku.id, "sku_code": sku.code, "product_name": sku.name,
                "image_url": sku.image_url, "tax_rate": line["tax_rate"],
                "source_id": source.id if source else None, **amounts,
            }  # fmt: skip
            self.units.extend(dict(unit) for _ in range(line["quantity"]))
        self.totals = order_totals(self.units, self.order["shipping_amount"], currency)
        grand = self.totals["grand_total"]
        if self.grand_total is not None and self.grand_total != grand:
            self.add(
                ("grandTotal",),
                f"{self.grand_total} given, the lines and shipping add up to {grand}",
                "TOTAL_MISMATCH",
            )


# -- writing -------------------------------------------------------------------------------


class _AlreadyImported(Exception):
    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


async def _lock_reference(session: AsyncSession, ref: str) -> None:
    """On PostgreSQL, serialise intakes of one client reference until commit.

    SQLite needs nothing: write transactions (BEGIN IMMEDIATE) already run one at a time."""
    digest = hashlib.blake2b(reference_key(ref).encode(), digest_size=4).digest()
    await _advisory_lock(session, int.from_bytes(digest, "big", signed=True))


async def _advisory_lock(session: AsyncSession, key: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": _LOCK_SPACE, "key": key}
        )


async def _existing_number(session: AsyncSession, ref: str) -> str | None:
    """The number of the order already imported with this client reference (case-insensitive)."""
    number: str | None = await session.scalar(
        select(Order.number)
        .where(Order.reference_key == reference_key(ref), Order.order_type == OrderType.NORMAL)
        .order_by(Order.id)
        .limit(1)
    )
    return number


async def _customer(session: AsyncSession, draft: _Draft) -> Customer:
    """The customer with the storefront's id, created from the record when new."""
    query = select(Customer).where(Customer.external_id == draft.customer_id)
    customer = await session.scalar(query)
    if customer is not None:
        return customer
    o = draft.order
    customer = Customer(
        external_id=draft.customer_id,
        type=o["customer_type"],
        name=o["customer_name"],
        email=o["customer_email"],
        phone=o["customer_phone"],
    )
    try:
        async with session.begin_nested():
            session.add(customer)
    except IntegrityError:  # created meanwhile by a concurrent intake
        customer = (await session.scalars(query)).one()
    return customer


async def _create(session: AsyncSession, draft: _Draft) -> Order:
    store = draft.store
    assert store is not None
    o = draft.order
    ref = o["client_reference"]
    customer = await _customer(session, draft)
    values = {
        **o,
        "language": o["language"] or store.language,
        "store_id": store.id,
        "vat_country": store.vat_country,
        "customer_id": customer.id,
        "order_type": OrderType.NORMAL,
        "status": OrderStatus.ORDER_REVIEW,
        "version": 1,
        **draft.totals,
        "amount_due": draft.totals["grand_total"],
        **search_keys(o),
    }
    order = await _insert_numbered(session, values, ref)
    await session.execute(
        insert(Line),
        [
            {**unit, "order_id": order.id, "number": n, "status": LineStatus.ORDERED}
            for n, unit in enumerate(draft.units, start=1)
        ],
    )
    session.add(
        HistoryEntry(
            order_id=order.id,
            at=o["purchased_at"],
            kind=HistoryKind.ORDER_PLACED,
            message=f"Order placed in the {store.code} store ({ref})",
            actor_kind=ActorKind.SYSTEM,
            actor_label=ACTOR_LABEL,
            details={
                "reference": ref,
                "lines": len(draft.units),
                "grandTotal": str(draft.totals["grand_total"]),
                "currency": store.currency,
            },
        )
    )
    await session.flush()
    return order


async def _insert_numbered(session: AsyncSession, values: dict[str, Any], ref: str) -> Order:
    """Insert the order with the next sequential number; when a concurrent writer took that
    number first (possible on PostgreSQL), check the reference again and retry."""
    # Intakes take numbers one at a time; the retry covers other writers (e.g. the seed).
    await _advisory_lock(session, _NUMBERING_LOCK)
    for _ in range(_NUMBER_ATTEMPTS):
        highest = await session.scalar(select(func.max(Order.number_seq)))
        seq = max(highest or 0, FIRST_NUMBER - 1) + 1
        order = Order(number=str(seq), number_seq=seq, **values)
        try:
            async with session.begin_nested():
                session.add(order)
        except IntegrityError:
            existing = await _existing_number(session, ref)
            if existing is not None:
                raise _AlreadyImported(existing) from None
            continue
        return order
    raise RuntimeError(f"no free order number after {_NUMBER_ATTEMPTS} attempts")
