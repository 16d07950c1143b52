"""What reaches ``/graphql`` before GraphQL does: the body's size, its JSON, and the answers to
requests that never become an operation.

- A body over ``Settings.max_body_bytes`` (``CSDESK_MAX_BODY_BYTES``, 1 MiB) is answered
  ``413`` as soon as it is known to be too big: at once from its ``Content-Length``, or when
  the bytes received pass the limit (a chunked body); at most the limit is ever held in memory
  (``BodyLimit``, ASGI middleware).
- The body must be UTF-8 JSON (RFC 8259): an object (or a list, which is refused as batching);
  no ``NaN``/``Infinity``, nested at most ``MAX_JSON_DEPTH`` levels (``parse_body``).
- Every refusal of a request is a GraphQL-shaped error with the HTTP status that says why:
  ``{"errors": [{"message": …, "extensions": {"code": "BAD_REQUEST"}}]}`` (``error_response``).
- An unexpected exception outside an operation (the database down while the session is read)
  is logged once with its traceback and a request id, and answered ``500`` with a generic
  message, that request id and ``INTERNAL_SERVER_ERROR`` (``masked_response``): never the
  exception's text.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from cross_web import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.observability import new_request_id

log = logging.getLogger("csdesk.errors")

MAX_JSON_DEPTH = 64
CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_SERVER_ERROR",
}


def error_response(status: int, message: str, **extensions: Any) -> JSONResponse:
    """A request refused before any operation ran, shaped like a GraphQL response."""
    code = CODES.get(status, "BAD_REQUEST")
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]},
        status_code=status,
    )


def masked_response(exc: BaseException, request_id: str | None = None) -> JSONResponse:
    """The answer to an exception nobody expected, logged once with its traceback."""
    request_id = request_id or new_request_id()
    log.error("unexpected error outside an operation (request %s)", request_id, exc_info=exc)
    return error_response(
        500,
        f"Internal server error; quote request id {request_id} when you report it.",
        requestId=request_id,
    )


def _refuse_constant(name: str) -> Any:
    raise HTTPException(400, f"The request body holds {name}, which is not JSON.")


def _depth_within(value: object, most: int) -> bool:
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > most:
            return False
        if isinstance(item, dict):
            pending.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            pending.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return True


def parse_body(data: str | bytes) -> object:
    """A request body as JSON: UTF-8, finite numbers, at most MAX_JSON_DEPTH levels, an
    object or a list. Anything else raises HTTPException(400) saying what is wrong."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPException(400, "The request body is not UTF-8 text.") from None
    else:
        text = data
    too_deep = f"The request body is nested more than {MAX_JSON_DEPTH} levels deep."
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise HTTPException(400, too_deep) from None
    except json.JSONDecodeError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})"
        raise HTTPException(400, f"The request body is not valid JSON{where}.") from None
    except ValueError:
        raise HTTPException(400, f"The request body is not valid JSON{where}.") from None
    if not isinstance(value, dict | list):
        raise HTTPException(
            400,
            'The request body must be a JSON object: {"query": "…", "variables": {…}}.',
        )
    if text.count("{") + text.count("[") > MAX_JSON_DEPTH and not _depth_within(
        value, MAX_JSON_DEPTH
    ):
        raise HTTPException(400, too_deep)
    return value


class BodyTooLarge(Exception):
    """The request body passed the limit while it was being received."""


class BodyLimit:
    """ASGI middleware answering 413 to a body over ``limit`` bytes, without reading it all."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def refusal(self) -> JSONResponse:
        return error_response(
            413,
            f"The request body is larger than {self.limit:,} bytes.",
            limit=self.limit,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.limit or declared < 0:
                    if declared < 0:
                        await error_response(400, "Content-Length is not a number.")(
                            scope, receive, send
                        )
                    else:
                        await self.refusal()(scope, receive, send)
                    return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge()
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await self.refusal()(scope, receive, send)
