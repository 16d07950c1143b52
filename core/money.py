"""Money: a ``Decimal`` amount in an ISO 4217 currency, at the currency's precision, rounded
half-even. One value travels from the ledger to the GraphQL ``Money`` type (which is this very
class, registered by ``schema.common``)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# ISO 4217 minor units of the currencies csdesk is likely to meet; others default to 2.
MINOR_UNITS: dict[str, int] = {
    "JPY": 0,
    "KRW": 0,
    "ISK": 0,
    "CLP": 0,
    "VND": 0,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}


def minor_units(currency: str) -> int:
    return MINOR_UNITS.get(currency.upper(), 2)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-even to the currency's precision."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_EVEN)


def has_currency_precision(amount: Decimal, currency: str) -> bool:
    """True when ``amount`` has no more decimals than the currency allows."""
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent <= minor_units(currency) if exponent < 0 else True


def tax_for(net: Decimal, rate: Decimal, currency: str) -> Decimal:
    """Tax on ``net`` at ``rate`` (0.2 for 20 %), half-even at the currency's precision."""
    return quantize(net * rate, currency)


def canonical_amount(amount: Decimal) -> str:
    """One spelling per value ("5", "5.0" and "5.00" alike), for comparing requests; amounts
    too large to normalise keep their own spelling (they are refused anyway)."""
    if not amount.is_finite():
        return str(amount)
    try:
        return str(amount.normalize())
    except ArithmeticError:
        return str(amount)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency. Build it with ``Money.of`` to round it to the currency's
    precision; ``str()`` is how agents read it in the history (``5.00 GBP``) and ``figure``
    how payloads and history details carry it (``"5.00"``)."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | int, currency: str) -> Money:
        """``amount`` at the currency's precision (half-even); amounts too large to round
        are kept as they are (they are refused by the rules that meet them)."""
        value = Decimal(amount)
        with contextlib.suppress(InvalidOperation):
            value = quantize(value, currency)
        return cls(value, currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.of(Decimal(0), currency)

    @property
    def figure(self) -> str:
        return str(self.amount)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money.of(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money.of(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount
