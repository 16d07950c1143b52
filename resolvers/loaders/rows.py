"""Rows a page only shows, read as light read-only records instead of ORM entities.

An ORM entity costs its instance state, its identity-map entry and the loading machinery
around each row: reading a queue page's lines as entities took a third longer than reading
the same columns (`bench/`, PostgreSQL 100k). csdesk's models have columns and nothing else
(no methods, no properties), so a record with the same attribute names, holding the values
the column types produced (enums, UTC instants, Decimals), reads exactly as the entity does.
It is for showing only: nothing may write through it, and it is in no session.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Column, inspect

from models.base import Base

M = TypeVar("M", bound=Base)


class Records(Generic[M]):
    """The columns of ``model``, its primary key first (a row of an outer join holds the
    record when that column is not null), and records of them typed as the model."""

    def __init__(self, model: type[M]) -> None:
        attributes = sorted(inspect(model).column_attrs, key=lambda a: not a.columns[0].primary_key)
        if len([a for a in attributes if a.columns[0].primary_key]) != 1:
            raise TypeError(f"{model.__name__}: records need a primary key of one column")
        self.columns: tuple[Column[Any], ...] = tuple(
            cast(Column[Any], a.columns[0]) for a in attributes
        )
        self.width = len(self.columns)
        name = f"{model.__name__}Record"
        record: Any = namedtuple(name, [a.key for a in attributes])  # type: ignore[misc]
        self._make = record._make

    def of(self, values: Sequence[Any]) -> M:
        """A record of ``values`` (a row's slice, in ``columns`` order)."""
        return cast(M, self._make(values))
