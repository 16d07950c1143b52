"""The request line, the errors' lines and the metrics of every HTTP request, and ``/metrics``.

``Observe`` wraps the whole app (pure ASGI, no buffering): it takes the caller's
``X-Request-Id`` (or makes one) and sends it back, counts the request's SQL statements, and
when the response has gone writes one ``csdesk.request`` line (method, path, status, duration,
statements, user, operation, outcome, error codes) and one ``csdesk.graphql`` line per
top-level GraphQL error (``schema/observability.py``), then counts the request in the metrics
(``csdesk/metrics.py``).
Health probes and scrapes log at DEBUG, so that they do not drown the requests that matter.
"""

from __future__ import annotations

import hmac
import logging
import time

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.config import Settings
from core.db import Database, StatementCounter, statement_counter
from core.observability import RequestRecord, current_request, request_id_from
from csdesk import metrics

request_log = logging.getLogger("csdesk.request")

QUIET_PATHS = ("/health", "/metrics")


class Observe:
    """ASGI middleware: request id, statement count, the request line and metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        record = RequestRecord(
            request_id=request_id_from(incoming), method=scope["method"], path=scope["path"]
        )
        status = 500
        header = (b"x-request-id", record.request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        counter = StatementCounter()
        record_token = current_request.set(record)
        counter_token = statement_counter.set(counter)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            try:
                for finish in record.finishers:
                    finish()
                self._finish(record, status, seconds, counter.count)
            finally:
                statement_counter.reset(counter_token)
                current_request.reset(record_token)

    def _finish(self, record: RequestRecord, status: int, seconds: float, statements: int) -> None:
        metrics.observe(record, status, seconds)
        quiet = record.path.startswith(QUIET_PATHS) and status < 500
        level = logging.ERROR if status >= 500 else logging.DEBUG if quiet else logging.INFO
        if not request_log.isEnabledFor(level):
            return
        fields: dict[str, object] = {
            "method": record.method,
            "path": record.path,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "statements": statements,
            "user": record.user,
        }
        if record.graphql:
            fields.update(
                operation=record.operation,
                operation_type=record.operation_type,
                outcome="error" if status >= 500 else record.outcome,
                error_codes=record.error_codes,
            )
            if record.user_errors:
                fields["user_errors"] = record.user_errors
        request_log.log(
            level,
            "%s %s %s",
            record.method,
            record.path,
            status,
            extra={"fields": fields},
        )


def metrics_route(settings: Settings, db: Database) -> Route:
    """``/metrics``: Prometheus' text format; behind a bearer token when one is set."""
    expected = f"Bearer {settings.metrics_token}".encode() if settings.metrics_token else None

    async def serve(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return PlainTextResponse(
                    "metrics need Authorization: Bearer <CSDESK_METRICS_TOKEN>\n",
                    401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        try:
            snapshot = await metrics.outbox_snapshot(db)
        except Exception as exc:  # the counters are still worth serving
            logging.getLogger("csdesk.metrics").warning(
                "metrics: cannot read the outbox: %s", type(exc).__name__
            )
            snapshot = metrics.OutboxSnapshot(database_up=False)
        return Response(
            metrics.exposition(snapshot),
            media_type="text/plain; version=0.0.4; charset=utf-8",
        )

    return Route("/metrics", serve, methods=["GET"])
