"""Validation of what administrators type: usernames, names, passwords, time zones, levels."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from auth.passwords import MIN_PASSWORD_LENGTH
from resolvers.errors import ValidationFailed

MAX_PASSWORD_LENGTH = 1024
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_NOT_ZONES = {"localtime", "posixrules", "Factory"}


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() - _NOT_ZONES)


def check_time_zone(value: str, field: list[str]) -> str:
    """An IANA time zone name, e.g. Europe/London."""
    zone = value.strip()
    if zone not in _zones():
        raise ValidationFailed(
            f"{value!r} is not an IANA time zone; use a name such as Europe/London.", field=field
        )
    ZoneInfo(zone)  # must load, too
    return zone


def check_password(value: str, field: list[str]) -> str:
    """A password of MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH characters."""
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters.", field=field
        )
    if len(value) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password may have at most {MAX_PASSWORD_LENGTH} characters.", field=field
        )
    return value


def check_username(value: str, field: list[str]) -> str:
    """1–64 letters, digits or . _ @ -, starting with a letter or digit."""
    name = value.strip()
    if not _USERNAME.fullmatch(name):
        raise ValidationFailed(
            "A username has 1–64 letters, digits or . _ @ -, starting with a letter or digit.",
            field=field,
        )
    return name


def check_text(value: str, label: str, limit: int, field: list[str]) -> str:
    """``value`` stripped, 1 to ``limit`` characters."""
    text = value.strip()
    if not text or len(text) > limit:
        raise ValidationFailed(f"{label} must have 1–{limit} characters.", field=field)
    return text


def check_level(value: int) -> int:
    """A hierarchy level: 1, 2 or 3."""
    if value not in (1, 2, 3):
        raise ValidationFailed("The level is 1, 2 or 3.", field=["input", "level"])
    return value
