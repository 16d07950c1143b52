"""The ASGI application: ``create_app(settings)`` with a lifespan that owns the database."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import gc
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from auth.sessions import (
    COOKIE_NAME,
    Lifetimes,
    Signed,
    token_from_headers,
    touch,
    viewer_for_token,
)
from auth.viewer import Viewer as ViewerData
from core.config import Settings
from core.db import Database
from core.observability import current_request_id, new_request_id
from csdesk import admin_ui, graphiql, health
from csdesk.headers import SecurityHeaders
from csdesk.http_edge import (
    BodyLimit,
    BodyTooLarge,
    error_response,
    masked_response,
    parse_body,
)
from csdesk.observability import Observe, metrics_route
from csdesk.production import refuse_unfit
from resolvers import live
from resolvers.loaders import Loaders
from resolvers.loaders.reads import RequestReads
from schema import build_schema
from schema.context import Context

log = logging.getLogger("csdesk")


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """graphql-transport-ws messages as text frames. ``encode_json`` gives bytes (orjson), which
    strawberry would send as binary frames; a browser's graphql-ws client receives those as a
    Blob and closes with 4004 before subscribing."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        text = encoded.decode() if isinstance(encoded, bytes) else encoded
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class CsdeskGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with csdesk's typed context; over WebSocket, subscriptions
    (graphql-transport-ws) signed in at ``connection_init``, sent as text frames."""

    websocket_adapter_class = TextWebSocketAdapter

    def __init__(self, settings: Settings, database: Database) -> None:
        super().__init__(
            build_schema(),
            graphql_ide="graphiql" if settings.development else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=dt.timedelta(seconds=10),
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
        )
        self.settings = settings
        self.database = database
        absolute = settings.session_absolute_hours
        self.lifetimes = Lifetimes(
            idle=dt.timedelta(hours=settings.session_idle_hours),
            absolute=dt.timedelta(hours=absolute) if absolute > 0 else None,
        )

        # Open WebSocket connections per user id.
        self.connections: collections.Counter[int] = collections.Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
            return
        if scope["type"] != "websocket":
            await super().__call__(scope, receive, send)
            return
        try:
            await super().__call__(scope, receive, send)
        finally:
            held: _Held | None = scope.get(_HELD)
            if held is not None:
                held.watchdog.cancel()
                self.connections[held.user_id] -= 1
                if self.connections[held.user_id] <= 0:
                    del self.connections[held.user_id]

    async def _viewer(self, token: str | None) -> ViewerData | None:
        """The viewer a token signs in (a WebSocket connection's)."""
        signed = await self._signed(token)
        return signed.viewer if signed is not None else None

    async def _signed(self, token: str | None, reads: RequestReads | None = None) -> Signed | None:
        """The sign-in of a token, read on the request's held session when given (a query's
        reads go on after it on the same connection)."""
        if not token:
            return None
        for last in (False, True):
            try:
                async with reads() if reads is not None else self.database.read() as session:
                    signed = await viewer_for_token(session, token, self.lifetimes)
                break
            except DBAPIError as error:
                # The first statement of a request found its pooled connection dropped (the
                # server restarted inside core.db's ping window): SQLAlchemy has replaced the
                # pool's connections since, so the sign-in is read once more on a new one.
                if last or not error.connection_invalidated:
                    raise
        if signed is None:
            return None
        if signed.touch_due and signed.viewer.token_id is not None:
            if reads is not None:
                await reads.close()  # hold no connection while the touch waits for one
            await self._touch(signed.viewer.token_id)
        return signed

    async def _touch(self, token_id: int) -> None:
        """Refresh the session's last use in a short write of its own, after the read that
        found it; a failure here (the database busy for longer than its timeout) costs the
        session one refresh, never the request."""
        try:
            async with self.database.write() as session:
                await touch(session, token_id)
                await session.commit()
        except SQLAlchemyError as exc:
            log.warning("session touch skipped: %s", type(exc).__name__)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Sign the connection in: ``{"authorization": "Bearer <token>"}`` in the payload, else
        the session cookie. (Strawberry refuses the handshake of a page of another origin, so
        another site cannot use the cookie.)"""
        params = context.connection_params or {}
        bearer = params.get("authorization") or params.get("Authorization")
        token = token_from_headers(bearer if isinstance(bearer, str) else None, None)
        ws = context.request
        if token is None:
            token = ws.cookies.get(COOKIE_NAME)
        viewer = await self._viewer(token)
        if viewer is None:
            raise ConnectionRejectionError({"message": "Sign in first."})
        if self.connections[viewer.user_id] >= self.settings.ws_max_connections_per_user:
            raise ConnectionRejectionError({"message": "Too many open connections."})
        self.connections[viewer.user_id] += 1
        context.viewer = viewer
        watchdog = asyncio.create_task(self._watch(context, token))
        ws.scope[_HELD] = _Held(viewer.user_id, watchdog)
        unset: UnsetType = UNSET
        return unset

    async def _watch(self, context: Context, token: str | None) -> None:
        """Close a connection idle too long (no subscription running), and one whose login
        ended; pick up role and store changes."""
        s = self.settings
        step = max(0.05, min(s.ws_idle_seconds, s.ws_recheck_seconds) / 4)
        checked = time.monotonic()
        ws = context.request
        assert isinstance(ws, WebSocket)
        try:
            while True:
                await asyncio.sleep(step)
                now = time.monotonic()
                if not context.live.active and now - context.live.idle_since > s.ws_idle_seconds:
                    await ws.close(code=1000, reason="Idle: no subscription")
                    return
                if now - checked >= s.ws_recheck_seconds:
                    checked = now
                    viewer = await self._viewer(token)
                    context.viewer = viewer
                    if viewer is None:
                        await ws.close(code=4403, reason="Forbidden: the login ended")
                        return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the socket is already gone
            log.debug("websocket watchdog stopped: %s", exc)

    async def get_context(self, request: Any, response: Any) -> Context:
        reads = RequestReads(self.database.read)
        signed: Signed | None = None
        if isinstance(request, WebSocket):  # signed in by on_ws_connect
            response = None
        else:
            # Held until the operation shows whether it writes (schema/extensions.py
            # SharedReads) and let go of when the request ends, whatever it did (_http).
            request.state.csdesk_reads = reads
            reads.hold()
            signed = await self._signed(
                token_from_headers(
                    request.headers.get("authorization"), request.cookies.get(COOKIE_NAME)
                ),
                reads,
            )
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            db=self.database,
            viewer=signed.viewer if signed is not None else None,
            loaders=Loaders.build(reads),
            reads=reads,
            request_id=current_request_id() or new_request_id(),
            viewer_row=signed.user if signed is not None else None,
        )

    def encode_json(self, data: object) -> bytes:
        """orjson: the same JSON as ``json.dumps`` (UTF-8, not ``\\u`` escapes) in a tenth of
        the time (a queue page of 50: 0.85 ms → 0.06 ms). A string orjson refuses (a lone
        surrogate echoed in an error message) falls back to the standard library."""
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:
            return json.dumps(data, separators=(",", ":")).encode()

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our page: every asset from this origin, under a 'self'-only CSP (csdesk/graphiql.py).
        return graphiql.page_response()

    def decode_json(self, data: str | bytes) -> object:
        # UTF-8 JSON objects only, finite numbers, bounded nesting (csdesk/http_edge.py).
        return parse_body(data)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry's view, with every refused request answered as a GraphQL error (not
        plain text) and anything unexpected outside an operation masked."""
        request = Request(scope=scope, receive=receive)
        response: Response
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = error_response(exc.status_code, exc.reason)
        except BodyTooLarge:
            raise  # answered 413 by BodyLimit
        except Exception as exc:
            response = masked_response(exc, current_request_id())
        finally:
            # A request refused before its operation ran (unparsable, invalid, over a
            # limit) still let go of the session its sign-in held.
            reads: RequestReads | None = getattr(request.state, "csdesk_reads", None)
            if reads is not None:
                await reads.close()
        await response(scope, receive, send)


_HELD = "csdesk.websocket"


@dataclass(frozen=True)
class _Held:
    """What a signed-in WebSocket connection holds: a connection slot and its watchdog."""

    user_id: int
    watchdog: asyncio.Task[None]


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    """The csdesk ASGI app. A given ``database`` is used as is and not disposed on shutdown."""
    settings = settings or Settings.from_env()
    db = database or Database.connect(settings.database_url)
    graphql = CsdeskGraphQL(settings, db)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Everything built so far (the schema, the models, the libraries) lives as long as
        # the process: keep it out of the cyclic collector's generations, whose full passes
        # over it were a third of request time and the p95 pauses.
        await refuse_unfit(settings, db)
        gc.collect()
        gc.freeze()
        # A queue page allocates ~100,000 objects: at the default threshold (700) the young
        # generation is collected ~150 times per page and the oldest every few pages. Fewer,
        # larger passes: the queue page's p95 by grand total went from 90 to 52–60 ms
        # (`make bench`, PostgreSQL 100k), the medians unchanged.
        gc.set_threshold(20_000, 50, 100)
        stop = asyncio.Event()
        worker = None
        if settings.worker_in_process:
            from worker.runner import run_forever

            worker = asyncio.create_task(run_forever(db, settings, stop=stop))
        try:
            yield
        finally:
            if worker is not None:
                stop.set()
                await worker
            await live.close_hub(db.engine.url)
            if database is None:
                await db.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            *health.routes(db),
            *([metrics_route(settings, db)] if settings.metrics_enabled else []),
            WebSocketRoute("/graphql", graphql),
            *([graphiql.assets_mount()] if settings.development else []),
            *admin_ui.routes(),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, production=not settings.development)
    # Request id, statement count, the request's log line and metrics (csdesk/observability.py).
    # Added last, so outermost: it sees every request, including those another middleware
    # answers itself.
    app.add_middleware(Observe)
    return app
