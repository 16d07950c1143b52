"""What the raw baseline writes exactly as csdesk does: Relay ids, money at the currency's
precision, instants in the viewer's zone, and JSON with every non-ASCII character escaped."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import orjson

_CENT = Decimal("0.01")
# Currencies whose precision is not two decimals (resolvers.money.MINOR_UNITS).
_QUANTA = {
    **{c: Decimal(1) for c in ("JPY", "KRW", "ISK", "CLP", "VND")},
    **{c: Decimal("0.001") for c in ("BHD", "KWD", "OMR", "JOD", "TND")},
}
_NOT_PRINTABLE_ASCII = re.compile("[^\x00-\x7e]")


def gid(type_name: str, row_id: int) -> str:
    """A Relay global id, as Strawberry writes it: base64 of ``Type:id``."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


def money(amount: Decimal, currency: str) -> dict[str, str]:
    """``{amount, currency}`` with the amount half-even at the currency's precision (an
    amount too large to round kept as it is, as ``core.money.Money.of`` keeps it)."""
    quantum = _QUANTA.get(currency.upper(), _CENT)
    with contextlib.suppress(InvalidOperation):
        amount = amount.quantize(quantum, rounding=ROUND_HALF_EVEN)
    return {"amount": str(amount), "currency": currency}


def local(instant: dt.datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"


def dumps(data: Any) -> bytes:
    """orjson, then every character outside printable ASCII as ``\\uXXXX``: the bytes of
    Python's ``json.dumps(data, separators=(",", ":"))``, which Strawberry answers with."""
    body = orjson.dumps(data)
    if body.isascii() and b"\x7f" not in body:
        return body
    return _NOT_PRINTABLE_ASCII.sub(_escape, body.decode()).encode()
