"""What the raw baseline writes exactly as csdesk does: Relay ids, money at the currency's
precision, instants in the viewer's zone, and orjson's JSON."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
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


def dumps(data: Any) -> bytes:
    """orjson, as csdesk answers (``CsdeskGraphQL.encode_json``)."""
    return orjson.dumps(data)
