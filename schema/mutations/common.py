"""What the order mutations share: running a domain action and answering with the order
(as it is after the change), the action and the new order, or a typed error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import PostsalesAction as ActionRow
from resolvers.actions.common import Outcome, run_action
from resolvers.errors import DomainError
from resolvers.orders import find_order
from schema.context import Info
from schema.errors import to_user_error
from schema.order import Order
from schema.postsales import PostsalesAction


async def perform(
    info: Info,
    operation: str,
    request: Mapping[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[Outcome]],
) -> Outcome | Any:
    """The action's outcome, or the typed error it was refused with (nothing written)."""
    viewer = info.context.viewer
    assert viewer is not None
    try:
        return await run_action(
            info.context.db, viewer, operation, request, idempotency_key, action
        )
    except DomainError as exc:
        return to_user_error(exc)


async def load_outcome(
    info: Info, outcome: Outcome
) -> tuple[Order, PostsalesAction | None, Order | None]:
    """The order, action and new order of an outcome, read after the commit."""
    viewer = info.context.viewer
    async with info.context.db.read() as session:
        found = await find_order(session, viewer, order_id=outcome.order_id)
        assert found is not None
        action = None
        if outcome.action_id is not None:
            row = await session.scalar(select(ActionRow).where(ActionRow.id == outcome.action_id))
            action = PostsalesAction.from_row(row, info) if row else None
        new_order = None
        if outcome.new_order_id is not None:
            new = await find_order(session, viewer, order_id=outcome.new_order_id)
            new_order = Order.loaded(new, info) if new else None
    return Order.loaded(found, info), action, new_order
