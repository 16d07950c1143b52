"""Schema extensions: the development-mode SQL statement count, the transport rules, the
shared read session of a query."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from core.db import statement_counter


class SqlStatementsExtension(SchemaExtension):
    """Adds ``extensions.sqlStatements``: SQL statements the request ran (development only).

    Only for viewers who see every store: to anyone else, a count that differs between an
    order outside their stores and one that does not exist would tell the two apart, which
    the answers themselves never do."""

    def get_results(self) -> dict[str, Any]:
        # Statements are counted in every mode (the request log names them); only development
        # tells the client.
        settings = getattr(self.execution_context.context, "settings", None)
        counter = statement_counter.get()
        if counter is None or settings is None or not settings.development:
            return {}
        viewer = getattr(self.execution_context.context, "viewer", None)
        if viewer is None or not viewer.all_stores:
            return {}
        return {"sqlStatements": counter.count}


class TransportRules(SchemaExtension):
    """Subscriptions over WebSocket only, and only subscriptions over WebSocket: queries and
    mutations go over HTTP, where cookies, time budgets and statement counts apply."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "request", None)
        over_ws = isinstance(request, WebSocket)
        subscription = context.operation_type is OperationType.SUBSCRIPTION
        if over_ws and not subscription:
            raise GraphQLError(
                "Over WebSocket, send subscriptions only; queries and mutations go over HTTP.",
                extensions={"code": "BAD_REQUEST"},
            )
        if subscription and not over_ws:
            raise GraphQLError(
                "Subscriptions run over WebSocket (graphql-transport-ws) at /graphql.",
                extensions={"code": "BAD_REQUEST"},
            )
        yield


class SharedReads(SchemaExtension):
    """A query reads on one session, held from the sign-in to the end of the operation; a
    mutation lets go of the sign-in's session before it writes, and its answer, after the
    write, shares one (``load_outcome``). Subscriptions keep a session per batch
    (resolvers/loaders/reads.py)."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        reads = getattr(context.context, "reads", None)
        if reads is None or context.operation_type is OperationType.SUBSCRIPTION:
            yield
            return
        if context.operation_type is OperationType.QUERY:
            reads.hold()
        else:
            await reads.close()
        try:
            yield
        finally:
            await reads.close()
