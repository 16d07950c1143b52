"""What the request log learns from the GraphQL edge: the operation, the user and the errors,
each top-level error as one ``csdesk.graphql`` line (the audit of mutations: ``schema/audit.py``).

The request itself is written out by ``csdesk/observability.py`` once the response has gone;
this module only fills in its ``core.observability.RequestRecord``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import partial

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from core.observability import RequestRecord, current_request

error_log = logging.getLogger("csdesk.graphql")

# Client mistakes are facts about the client (INFO); these are worth a look (WARNING).
# INTERNAL_SERVER_ERROR is logged where it is caught, with its traceback (schema/masking.py).
WARNING_CODES = frozenset({"REQUEST_TIMEOUT", "QUERY_TOO_COMPLEX"})


def error_code(error: GraphQLError) -> str:
    """``extensions.code``, or what a document refused before execution is."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return "INTERNAL_SERVER_ERROR"


def note_execution(record: RequestRecord, context: ExecutionContext) -> None:
    """Copy the operation, the user and the final errors into the record; log each error."""
    record.graphql = True
    record.operation = context.operation_name
    try:
        record.operation_type = context.operation_type.value
    except Exception:  # the document did not parse, or holds no operation of that name
        record.operation_type = None
    viewer = getattr(context.context, "viewer", None)
    if viewer is not None and record.user is None:
        record.user = viewer.username
    errors: Iterable[GraphQLError] = getattr(context.result, "errors", None) or ()
    for error in errors:
        code = error_code(error)
        record.error_codes.append(code)
        if code == "INTERNAL_SERVER_ERROR":
            continue
        location = error.locations[0] if error.locations else None
        error_log.log(
            logging.WARNING if code in WARNING_CODES else logging.INFO,
            "graphql error: %s",
            error.message,
            extra={
                "fields": {
                    "code": code,
                    "operation": record.operation,
                    "path": ".".join(str(p) for p in error.path) if error.path else None,
                    "line": location.line if location else None,
                    "column": location.column if location else None,
                    "user": record.user,
                }
            },
        )


class ObserveOperation(SchemaExtension):
    """Hands the request record a look at this operation once the response is final."""

    def on_operation(self) -> Iterator[None]:
        record = current_request.get()
        if record is not None:
            record.finishers.append(partial(note_execution, record, self.execution_context))
        yield
