"""The raw baseline as a plain ASGI app: no GraphQL engine, no ORM. ``POST /graphql`` reads the
operation's name from the query text and answers OrderQueue, OrderSearch and OrderDetail with
hand-written SQL, after the same sign-in and ORDER_VIEW check as csdesk; ``GET /health``.

Each response carries ``x-bench-statements``: the SQL statements it ran."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from bench.raw import detail, orders
from bench.raw.db import Connection, RawDatabase, statements
from bench.raw.render import dumps
from bench.raw.viewer import RawViewer, bearer, viewer_for_token

Handler = Callable[[Connection, RawDatabase, RawViewer, dict[str, Any]], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {
    "OrderQueue": orders.queue,
    "OrderSearch": orders.search,
    "OrderDetail": detail.detail,
}
_OPERATION = re.compile(r"^\s*(?:#[^\n]*\n\s*)*(?:query|mutation)\s+(\w+)")
STATEMENTS_HEADER = b"x-bench-statements"


def _error(message: str, code: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}


def operation_name(query: str) -> str | None:
    found = _OPERATION.match(query)
    return found.group(1) if found else None


class RawApp:
    """ASGI app over one RawDatabase, opened and closed by the lifespan."""

    def __init__(self, url: str, pool_size: int = 8) -> None:
        self.db = RawDatabase(url, pool_size)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/health":
            await self._respond(send, 200, b'{"status":"ok"}', 0)
            return
        if scope["path"] != "/graphql" or scope["method"] != "POST":
            await self._respond(send, 404, b'{"error":"not found"}', 0)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = dict(scope["headers"])
        counter = [0]
        reset = statements.set(counter)
        try:
            result = await self.answer(body, headers.get(b"authorization"))
        finally:
            statements.reset(reset)
        await self._respond(send, 200, dumps(result), counter[0])

    async def answer(self, body: bytes, authorization: bytes | None) -> Any:
        request = orjson.loads(body)
        name = operation_name(request.get("query") or "")
        handler = HANDLERS.get(name or "")
        if handler is None:
            return _error(f"the raw baseline does not answer {name!r}", "UNSUPPORTED")
        token = bearer(authorization.decode() if authorization else None)
        async with self.db.connection() as conn:
            viewer = await viewer_for_token(conn, self.db, token) if token else None
            if viewer is None:
                return _error("Sign in first: this field needs a valid login.", "UNAUTHENTICATED")
            if "ORDER_VIEW" not in viewer.permissions:
                return _error("Your role lacks the ORDER_VIEW permission.", "FORBIDDEN")
            try:
                data = await handler(conn, self.db, viewer, request.get("variables") or {})
            except orders.Unsupported as exc:
                return _error(f"the raw baseline refuses this input: {exc}", "UNSUPPORTED")
        return {"data": data}

    async def _respond(self, send: Any, status: int, body: bytes, count: int) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (STATEMENTS_HEADER, str(count).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.db.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.db.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
