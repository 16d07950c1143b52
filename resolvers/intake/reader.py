"""Reading JSON records without the database: one line of a file into a dict, and typed
field readers that record every problem they meet instead of stopping at the first.

Shared by the order, catalog and stock intakes, so that each field kind (text, amount,
whole number, flag, instant) is checked and reported alike in every format.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from resolvers.errors import IntakeRejected, Problem

Path = tuple[str | int, ...]
Record = Mapping[str, Any]

MAX_AMOUNT = Decimal(10) ** 12
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
# Patterns of text fields, with what a value must be, for the message when it is not.
Pattern = tuple[re.Pattern[str], str]
EMAIL: Pattern = (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "an email address")
PHONE: Pattern = (re.compile(r"\+?[0-9 ()./-]+"), "a phone number (digits, spaces, + ( ) - . /)")
COUNTRY: Pattern = (re.compile(r"[A-Za-z]{2}"), 'an ISO 3166-1 alpha-2 country code such as "GB"')
CURRENCY: Pattern = (re.compile(r"[A-Z]{3}"), 'an ISO 4217 currency code such as "EUR"')
LANGUAGE: Pattern = (
    re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?"),
    'a language tag such as "de"',
)


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


class Reader:
    """Field readers over one record: each returns the value, or None after recording why
    the value cannot be used (``problems``)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: Path, reason: str, code: str = "INVALID") -> None:
        self.problems.append(Problem(path, reason, code))

    def known(self, obj: Record, path: Path, allowed: frozenset[str]) -> None:
        """A field the format does not define is a problem (a misspelt optional field)."""
        for key in obj:
            if key not in allowed:
                self.add((*path, key), "unknown field", "UNKNOWN_FIELD")

    def object(
        self, obj: Record, path: Path, key: str, allowed: frozenset[str], *, required: bool = True
    ) -> Record | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.add((*path, key), "missing", "MISSING")
            return None
        if not isinstance(value, dict):
            self.add((*path, key), "expected an object")
            return None
        self.known(value, (*path, key), allowed)
        return value

    def text(
        self,
        obj: Record,
        path: Path,
        key: str,
        max_length: int,
        *,
        required: bool = True,
        pattern: Pattern | None = None,
    ) -> str | None:
        """Trimmed text; empty counts as missing."""
        value = obj.get(key)
        if value.__class__ is str:  # the usual case, checked first: every record has dozens
            value = value.strip()
            if (
                value
                and len(value) <= max_length
                and (pattern is None or pattern[0].fullmatch(value))
            ):
                return value
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

    def phone(self, obj: Record, path: Path) -> str | None:
        phone = self.text(obj, path, "phone", 40, required=False, pattern=PHONE)
        if phone is not None and sum(ch.isdigit() for ch in phone) < 4:
            self.add((*path, "phone"), f'"{phone}" has too few digits')
            return None
        return phone

    def instant(self, obj: Record, path: Path, key: str) -> dt.datetime | None:
        """An ISO 8601 instant with a UTC offset, from 2000 to a day from now, as UTC."""
        raw = self.text(obj, path, key, 40)
        if raw is None:
            return None
        where = (*path, key)
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            self.add(where, f'"{raw}" is not an ISO 8601 date and time')
            return None
        if value.tzinfo is None:
            self.add(where, f'"{raw}" has no UTC offset (add "Z" or e.g. "+02:00")')
            return None
        value = value.astimezone(dt.UTC)
        if not EARLIEST <= value <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
            self.add(where, f'"{raw}" is before 2000 or in the future')
            return None
        return value

    def decimal(self, obj: Record, path: Path, key: str, required: bool) -> Decimal | None:
        """A decimal string or JSON number read as an exact Decimal; never a float."""
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
        elif isinstance(value, Decimal) and value.is_finite():
            return value
        elif isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        else:
            self.add(where, f'expected a decimal number such as "19.99", got {value!r}')
        return None

    def amount(
        self, obj: Record, path: Path, key: str, *, required: bool = True, positive: bool = False
    ) -> Decimal | None:
        """A money amount: ≥ 0 (> 0 when ``positive``) and below MAX_AMOUNT. Its precision
        depends on a currency, which the caller checks."""
        where = (*path, key)
        value = self.decimal(obj, path, key, required)
        if value is None:
            return None
        if positive and value <= 0:
            self.add(where, f"{value} is not greater than 0")
        elif value < 0:
            self.add(where, f"{value} is negative")
        elif value >= MAX_AMOUNT:
            self.add(where, f"{value} is too large")
        else:
            return value
        return None

    def tax_rate(self, obj: Record, path: Path) -> Decimal | None:
        where = (*path, "taxRate")
        rate = self.decimal(obj, path, "taxRate", True)
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

    def whole(self, obj: Record, path: Path, key: str, low: int, high: int) -> int | None:
        """A JSON integer (not a string, not 2.0) from ``low`` to ``high``."""
        value = obj.get(key)
        where = (*path, key)
        if value is None:
            self.add(where, "missing", "MISSING")
        elif isinstance(value, bool) or not isinstance(value, int):
            self.add(where, f"expected a whole number, got {value!r}")
        elif not low <= value <= high:
            self.add(where, f"{value} is not between {low} and {high}")
        else:
            return value
        return None

    def flag(self, obj: Record, path: Path, key: str) -> bool | None:
        """A JSON true or false."""
        value = obj.get(key)
        where = (*path, key)
        if value is None:
            self.add(where, "missing", "MISSING")
        elif not isinstance(value, bool):
            self.add(where, f"expected true or false, got {value!r}")
        else:
            return value
        return None


@dataclass(frozen=True)
class Rejected:
    """A record that was not taken in, and every reason why."""

    problems: list[Problem]


def under(prefix: Path, problems: list[Problem]) -> list[Problem]:
    """The problems with their paths placed under ``prefix`` (e.g. a mutation's input)."""
    return [Problem((*prefix, *p.path), p.reason, p.code) for p in problems]
