"""What one HTTP request did, gathered while it runs and written out once it ends: the request
log line and the metrics (``csdesk/observability.py``) read it; the GraphQL edge fills in the
operation, the user, the errors and the mutations' outcomes.

The record lives in a context variable set by the ASGI middleware for the whole request, so
that every log line written meanwhile (an error's traceback, an audit record) carries the
request id without being handed it.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

# An incoming X-Request-Id is kept when it looks like an id (a load balancer's, a client's);
# anything else (too long, spaces, quotes) is replaced so that it cannot forge log content.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is a plausible one, else a new one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return new_request_id()


@dataclass
class RequestRecord:
    """One request, as its log line and metrics describe it."""

    request_id: str
    method: str = ""
    path: str = ""
    user: str | None = None
    # The GraphQL operation's name as the client sent it (None: anonymous), and its type
    # (query, mutation, subscription; None when the document did not parse).
    operation: str | None = None
    operation_type: str | None = None
    # Codes of the response's top-level errors, in order (one per error).
    error_codes: list[str] = field(default_factory=list)
    # Typed errors returned in mutation results (e.g. "NotFound"): the request worked, the
    # business rule refused.
    user_errors: list[str] = field(default_factory=list)
    graphql: bool = False
    # Run once the response has gone, before the request line is written: the GraphQL edge
    # reads its result there (errors raised by its extensions land after they return).
    finishers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """ok, user_error (a mutation answered one of its typed errors) or error (top-level
        errors)."""
        if self.error_codes:
            return "error"
        if self.user_errors:
            return "user_error"
        return "ok"


current_request: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "csdesk_request", default=None
)


def current_request_id() -> str | None:
    record = current_request.get()
    return None if record is None else record.request_id
