"""The time budget of a query: stopped after ``Settings.request_timeout_seconds``.

The cost limit (``schema.cost``) refuses most expensive queries before they run; the budget
bounds what a cost cannot see (a broad search on a large database, a slow disk). A query
still running when its budget is spent is cancelled at its next wait for the database and
answered with ``extensions.code = "REQUEST_TIMEOUT"`` and no data.

Mutations run without a budget: cancelling one mid-commit would leave the client unsure
whether money moved. Their cost is limited like a query's, and each acts on one order.
Pure Python stretches between two waits cannot be interrupted; the cost limit keeps them
short.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from core.config import Settings

CODE = "REQUEST_TIMEOUT"


class RequestTimeout(GraphQLError):
    """A query that outran its time budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The query ran longer than its time budget of {seconds:g} s and was stopped: ask "
            "for less (a smaller `first`, fewer nested lists, a narrower filter).",
            extensions={"code": CODE, "budgetSeconds": seconds},
        )


class RequestBudget(SchemaExtension):
    """Runs a query's execution under ``asyncio.timeout(budget)``."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        settings = getattr(context.context, "settings", None)
        seconds = settings.request_timeout_seconds if isinstance(settings, Settings) else 0
        if (
            seconds <= 0
            or context.result is not None
            or (context.operation_type is not OperationType.QUERY)
        ):
            yield
            return
        try:
            async with asyncio.timeout(seconds):
                yield
        except TimeoutError:
            raise RequestTimeout(seconds) from None
