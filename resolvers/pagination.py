"""Keyset pages, as every list of the domain returns them: the rows of one page, whether more
follow, each row's cursor, and the total on demand (counted only when a client asks).

Cursors are opaque to clients: base64 of ``[sort, value, id]``. A cursor made for one sort
order is refused for another, so that a page never repeats or skips a row.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import MAX_ID
from resolvers.errors import ValidationFailed

MAX_PAGE = 100
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list. ``count`` counts every match (all pages) in a session of its own."""

    rows: list[T]
    has_next: bool
    cursor: Callable[[T], str]
    count: Callable[[AsyncSession], Awaitable[int]]


def counter(
    model: Any, where: list[ColumnElement[bool]]
) -> Callable[[AsyncSession], Awaitable[int]]:
    """A ``Page.count`` for the rows of ``model`` matching ``where``."""

    async def count(session: AsyncSession) -> int:
        total = await session.scalar(select(func.count()).select_from(model).where(*where))
        return int(total or 0)

    return count


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise ValidationFailed(
            f"first must be between 1 and {MAX_PAGE}; got {first}.", field=["first"]
        )


def encode_cursor(sort: str, value: Any, row_id: int) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    raw = json.dumps([sort, value, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    """(value, id) of a cursor made for ``sort``; ValidationFailed when it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        got_sort, value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        if got_sort != sort or not isinstance(row_id, int) or not 0 <= row_id <= MAX_ID:
            raise ValueError
        return value, row_id
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ValidationFailed(
            "after is not a cursor of this list and sort order; start again without it.",
            field=["after"],
        ) from None


def cursor_instant(value: Any) -> dt.datetime:
    """The UTC instant of a cursor; ValidationFailed unless it is one with its offset."""
    try:
        instant = dt.datetime.fromisoformat(str(value))
        if instant.tzinfo is None:
            raise ValueError("cursor instant without offset")
    except ValueError:
        raise ValidationFailed("after is not a valid cursor.", field=["after"]) from None
    return instant
