"""The schema object."""

from __future__ import annotations

import contextlib
import copy
import functools
from collections.abc import Callable, Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StreamResult
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from schema.audit import audit_mutations
from schema.budget import RequestBudget
from schema.cost import QueryCost
from schema.direct_resolvers import shortcut_resolvers
from schema.errors import exception_handlers
from schema.executor import CsdeskExecutor
from schema.exposure import SchemaExposure
from schema.extensions import SharedReads, SqlStatementsExtension, TransportRules
from schema.history import HistoryEntry
from schema.masking import ErrorBoundary, last_word
from schema.mutation import Mutation
from schema.observability import ObserveOperation
from schema.order import Line, Order
from schema.postsales import PostsalesAction
from schema.query import Query
from schema.scalars import SCALAR_OVERRIDES
from schema.subscription import Subscription
from schema.text_inputs import TextInputs
from schema.validation import TextValidationCache

# Distinct documents whose parse and validation are remembered (the SPA sends a few dozen).
DOCUMENT_CACHE_SIZE = 256


class CsdeskSchema(strawberry.Schema):
    """Leaves the logging of errors to the ErrorBoundary, which logs each unexpected one once,
    with its traceback and request id, and nothing the client caused."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Strawberry's, with the ErrorBoundary's word on errors that end an operation
        outside it (a syntax error from the parser cache, an extension that raised)."""
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        if result.errors:
            result.errors = last_word(result.errors, context_value)
        return result

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> StreamResult:
        """Strawberry's stream (subscriptions over WebSocket), where a document the parser
        cache refuses (a syntax error, too many tokens) is answered as an error, like over
        HTTP, instead of ending the subscription without a word."""
        source = await super().stream(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
            allowed_operation_types,
        )
        return _parse_errors_answered(source)


async def _parse_errors_answered(source: StreamResult) -> StreamResult:
    started = False
    try:
        async with contextlib.aclosing(source):
            async for item in source:
                started = True
                yield item
    except GraphQLError as error:
        if started:
            raise
        yield PreExecutionError(data=None, errors=[error])


@functools.cache
def build_schema() -> strawberry.Schema:
    """The csdesk schema, built once per process: Strawberry's unions and relay fields bind to
    the first schema built from them. ``extensions.sqlStatements`` appears only where the app
    counts statements (development mode)."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        # First, so that it reads the errors as the ErrorBoundary leaves them.
        ObserveOperation,
        lambda: MaxTokensLimiter(max_token_count=5000),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        # Adds the depth and alias rules (built once, so the validation cache hits), then
        # prices the operation before it runs (schema/cost.py).
        QueryCost,
        TransportRules,
        SharedReads,
        # After QueryCost: it may replace the rules QueryCost added (schema/exposure.py).
        SchemaExposure,
        # Keyed on the text, not the document (schema/validation.py).
        lambda: TextValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        # Refuses text no database can store, in any argument, before anything runs.
        TextInputs,
        RequestBudget,
        SqlStatementsExtension,
        ErrorBoundary,
    ]
    schema = CsdeskSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Order, Line, PostsalesAction, HistoryEntry],
        extensions=extensions,
        exception_handlers=exception_handlers(),
        scalar_overrides=SCALAR_OVERRIDES,
        # Not sort_schema=True: in Strawberry 0.341 the sorted copy holds new type objects
        # that union type resolution no longer recognises. export_sdl() sorts instead.
        config=StrawberryConfig(),
        # Plain scalar fields read and coerced in one step (schema/executor.py).
        execution_context_class=CsdeskExecutor,
    )
    audit_mutations(schema)  # one audit line per mutation run (schema/audit.py)
    shortcut_resolvers(schema)  # resolvers without arguments called directly
    return schema


def export_sdl() -> str:
    """The schema as SDL, types and fields sorted so that diffs stay stable."""
    from graphql import lexicographic_sort_schema
    from strawberry.printer import print_schema

    printable = copy.copy(build_schema())
    printable._schema = lexicographic_sort_schema(printable._schema)
    return print_schema(printable) + "\n"
