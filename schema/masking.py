"""The last word on every error a response carries.

- A domain error that no result union lists (a refused query argument) becomes a top-level
  error with ``extensions.code = "BAD_USER_INPUT"``, its ``reason`` code and ``field``.
- Errors that answer the client's own request (unauthenticated, forbidden, bad input, invalid
  documents) pass as they are.
- Anything else is unexpected: logged once with its traceback and a request id, and answered
  with a generic message, that request id and ``extensions.code = "INTERNAL_SERVER_ERROR"``;
  no exception text (SQL, connection errors, paths) ever reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.errors import DomainError

log = logging.getLogger("csdesk.errors")

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


def request_id_of(context: object) -> str:
    return str(getattr(context, "request_id", "-"))


class ErrorBoundary(SchemaExtension):
    """Rewrites the errors of each result as the module docstring says."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        request_id = request_id_of(self.execution_context.context)
        result.errors = [self._answer(e, request_id) for e in errors]

    def _answer(self, error: GraphQLError, request_id: str) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            return bad_user_input(original, error)
        if original is None or isinstance(original, GraphQLError):
            code = (error.extensions or {}).get("code")
            if code in EXPECTED_CODES or error.path is None:
                # Raised on purpose, or a document refused before execution (syntax,
                # validation, limits): the client's own mistake, told as it is.
                return error
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
