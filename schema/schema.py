"""The schema object."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.budget import RequestBudget
from schema.cost import QueryCost
from schema.errors import exception_handlers
from schema.exposure import SchemaExposure
from schema.extensions import SqlStatementsExtension
from schema.history import HistoryEntry
from schema.masking import ErrorBoundary
from schema.mutation import Mutation
from schema.order import Line, Order
from schema.postsales import PostsalesAction
from schema.query import Query
from schema.scalars import SCALAR_OVERRIDES

# Distinct documents whose parse and validation are remembered (the SPA sends a few dozen).
DOCUMENT_CACHE_SIZE = 256


class CsdeskSchema(strawberry.Schema):
    """Leaves the logging of errors to the ErrorBoundary, which logs each unexpected one once,
    with its traceback and request id, and nothing the client caused."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


@functools.cache
def build_schema() -> strawberry.Schema:
    """The csdesk schema, built once per process: Strawberry's unions and relay fields bind to
    the first schema built from them. ``extensions.sqlStatements`` appears only where the app
    counts statements (development mode)."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=5000),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        # Adds the depth and alias rules (built once, so the validation cache hits), then
        # prices the operation before it runs (schema/cost.py).
        QueryCost,
        # After QueryCost: it may replace the rules QueryCost added (schema/exposure.py).
        SchemaExposure,
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        RequestBudget,
        SqlStatementsExtension,
        ErrorBoundary,
    ]
    return CsdeskSchema(
        query=Query,
        mutation=Mutation,
        types=[Order, Line, PostsalesAction, HistoryEntry],
        extensions=extensions,
        exception_handlers=exception_handlers(),
        scalar_overrides=SCALAR_OVERRIDES,
        # Not sort_schema=True: in Strawberry 0.341 the sorted copy holds new type objects
        # that union type resolution no longer recognises. export_sdl() sorts instead.
        config=StrawberryConfig(),
    )


def export_sdl() -> str:
    """The schema as SDL, types and fields sorted so that diffs stay stable."""
    from graphql import lexicographic_sort_schema
    from strawberry.printer import print_schema

    printable = copy.copy(build_schema())
    printable._schema = lexicographic_sort_schema(printable._schema)
    return print_schema(printable) + "\n"
