"""The last word on every error a response carries.

- A domain error that no result union lists (a refused query argument) becomes a top-level
  error with ``extensions.code = "BAD_USER_INPUT"``, its ``reason`` code and ``field``.
- Errors that answer the client's own request (unauthenticated, forbidden, bad input, invalid
  documents) pass as they are; those graphql-core makes without a code get one:
  ``GRAPHQL_PARSE_FAILED``, ``GRAPHQL_VALIDATION_FAILED``, or ``BAD_USER_INPUT`` for a
  variable whose value does not fit its type.
- Anything else is unexpected: logged once with its traceback and a request id, and answered
  with a generic message, that request id and ``extensions.code = "INTERNAL_SERVER_ERROR"``;
  no exception text (SQL, connection errors, paths) ever reaches the client.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.errors import DomainError

log = logging.getLogger("csdesk.errors")
# graphql-core's words for a variable's value that does not fit its type.
_BAD_VARIABLE = re.compile(
    r"Variable '\$\w+' (has invalid|of required type .* was not provided|of non-null type)"
)

# Errors raised on purpose to answer the client's request.
EXPECTED_CODES = frozenset({"BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN"})


def bad_user_input(error: DomainError, template: GraphQLError | None = None) -> GraphQLError:
    """A refused query argument as a top-level error with a typed code."""
    return GraphQLError(
        error.message,
        nodes=template.nodes if template else None,
        path=template.path if template else None,
        extensions={"code": "BAD_USER_INPUT", "reason": error.code, "field": error.field},
    )


def with_code(error: GraphQLError) -> GraphQLError:
    """A refusal graphql-core made without a code, given the one its kind has: a document
    that does not parse, a variable whose value does not fit its type, or a document the
    schema does not validate."""
    if error.message.startswith("Syntax Error"):
        code = "GRAPHQL_PARSE_FAILED"
    elif _BAD_VARIABLE.match(error.message):
        code = "BAD_USER_INPUT"
    else:
        code = "GRAPHQL_VALIDATION_FAILED"
    error.extensions = {**(error.extensions or {}), "code": code}
    return error


def request_id_of(context: object) -> str:
    return str(getattr(context, "request_id", "-"))


class ErrorBoundary(SchemaExtension):
    """Rewrites the errors of each result as the module docstring says."""

    def on_operation(self) -> Iterator[None]:
        yield
        # A document refused before execution is answered from these, not from a result.
        for refused in self.execution_context.pre_execution_errors or ():
            if not (refused.extensions or {}).get("code"):
                with_code(refused)
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        request_id = request_id_of(self.execution_context.context)
        result.errors = [answer(e, request_id) for e in errors]


def answer(error: GraphQLError, request_id: str) -> GraphQLError:
    """The error as the client gets it (the module docstring's rules)."""
    original = error.original_error
    if isinstance(original, DomainError):
        return bad_user_input(original, error)
    if original is None or isinstance(original, GraphQLError):
        code = (error.extensions or {}).get("code")
        if code in EXPECTED_CODES or error.path is None:
            # Raised on purpose, or a document refused before execution (syntax,
            # validation, limits): the client's own mistake, told as it is, with a code.
            return error if code else with_code(error)
    log.error(
        "unexpected error in %s (request %s)",
        ".".join(str(p) for p in error.path or ()) or "the operation",
        request_id,
        exc_info=original or error,
    )
    return GraphQLError(
        f"Internal server error; quote request id {request_id} when you report it.",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


def last_word(errors: list[GraphQLError], context: object) -> list[GraphQLError]:
    """``answer`` for the errors an operation ends with outside the boundary: a document the
    parser cache refused, an exception raised by an extension. Those the boundary answered
    all carry a code and are kept as they are."""
    request_id = request_id_of(context)
    return [e if (e.extensions or {}).get("code") else answer(e, request_id) for e in errors]
