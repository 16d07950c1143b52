"""Money arithmetic: Decimal amounts at the currency's precision, rounded half-even."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

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


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-even to the currency's precision."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_EVEN)


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
