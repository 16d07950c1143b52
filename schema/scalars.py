"""Scalars csdesk parses more strictly than Strawberry's own.

``Decimal``: Python's ``Decimal()`` takes far more than an amount ("١٢٫٥" in Arabic-Indic
digits, "1_000", " 12 ", "1e3", "NaN", "Infinity"); an amount an agent types must be plain:
ASCII digits, an optional sign, at most one decimal point with digits on both sides, at most
``MAX_DECIMAL_LENGTH`` characters. Anything else is refused before any resolver runs, with
``extensions.code = "BAD_USER_INPUT"`` and ``reason = "INVALID_DECIMAL"``. JSON numbers are
read as the digits they print as (``12.5``), so ``1e+20`` is refused like ``"1e20"``.
Output is unchanged: the amount as a string.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Mapping
from typing import Any

from graphql import FloatValueNode, GraphQLError, IntValueNode, StringValueNode, ValueNode
from strawberry.types.scalar import ScalarDefinition

MAX_DECIMAL_LENGTH = 32
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?", re.ASCII)


def _refused() -> GraphQLError:
    return GraphQLError(
        "Not a decimal amount: send ASCII digits with an optional sign and at most one decimal "
        f'point, e.g. "12.50" (at most {MAX_DECIMAL_LENGTH} characters).',
        extensions={"code": "BAD_USER_INPUT", "reason": "INVALID_DECIMAL"},
    )


def _parse(text: str) -> decimal.Decimal:
    if len(text) > MAX_DECIMAL_LENGTH or not _DECIMAL.fullmatch(text):
        raise _refused()
    return decimal.Decimal(text)


def parse_decimal(value: object) -> decimal.Decimal:
    """A variable's value as a Decimal: a string, an integer or a finite JSON number."""
    if isinstance(value, str):
        return _parse(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _parse(str(value))
    if isinstance(value, float) and math.isfinite(value):
        return _parse(repr(value))
    raise _refused()


def parse_decimal_literal(
    node: ValueNode, variables: Mapping[str, Any] | None = None
) -> decimal.Decimal:
    """A literal in the document: "12.50", 12.50 or 12 (the digits as written)."""
    if isinstance(node, (StringValueNode, IntValueNode, FloatValueNode)):
        return _parse(node.value)
    raise _refused()


StrictDecimal = ScalarDefinition(
    name="Decimal",
    description=(
        'A decimal number as a string of ASCII digits, e.g. "12.50": an optional sign, at '
        f"most one decimal point, at most {MAX_DECIMAL_LENGTH} characters."
    ),
    specified_by_url=None,
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=parse_decimal_literal,
    origin=decimal.Decimal,
)

SCALAR_OVERRIDES: Mapping[object, ScalarDefinition] = {decimal.Decimal: StrictDecimal}
