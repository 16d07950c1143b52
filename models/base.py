"""Declarative base: naming convention, UTC timestamps, money and enum column types."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    MetaData,
    Numeric,
    String,
    TypeDecorator,
    inspect,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Money is stored with four decimals so that every ISO 4217 currency fits; amounts are
# quantized to the currency's own precision in code (see core.money).
MONEY = Numeric(18, 4, asdecimal=True)
# The largest id the integer primary keys hold (32-bit on PostgreSQL): a larger id a client
# sends is "not found", never a database error.
MAX_ID = 2**31 - 1


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC instant on every engine (SQLite stores naive strings)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is expected")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def enum_column(enum_cls: type[enum.Enum], length: int = 32) -> SAEnum:
    """A portable enum column: a VARCHAR(length) holding the member name, no native type."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        Decimal: MONEY,
        str: String(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


R = TypeVar("R", bound=Base)


def whole_row(model: type[R], **values: Any) -> R:
    """A new row of ``model`` with every column given a value: ``values``, and None for each
    nullable column without a default that they leave out. Once flushed, such a row holds
    all its columns (a column never set is left unloaded by the flush), so that an answer
    can show it as written without reading it back (resolvers.idempotency.Written)."""
    for attribute in inspect(model).column_attrs:
        key, column = attribute.key, attribute.columns[0]
        if (
            key not in values
            and column.nullable
            and not column.primary_key
            and column.default is None
            and column.server_default is None
        ):
            values[key] = None
    return model(**values)
