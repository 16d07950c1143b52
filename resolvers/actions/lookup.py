"""Finding what an action acts on under the viewer's store scope: an order read without a
lock (dry runs), and a post-sales action with its order locked (approve, cancel)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Order, PostsalesAction
from models.enums import ActionKind
from resolvers.actions.common import lock_order, version_conflict
from resolvers.errors import NotFound
from resolvers.orders import visible_to


async def load_visible_order(
    session: AsyncSession,
    viewer: Viewer,
    order_id: int,
    expected_version: int | None,
    field: list[str],
) -> Order:
    """The order as committed, without locking it: NotFound and VersionConflict exactly as
    ``lock_order`` gives them, nothing written."""
    order = await session.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    if order is None or not visible_to(viewer, order):
        raise NotFound("No such order.", field=field)
    if expected_version is not None and order.version != expected_version:
        raise version_conflict(order, expected_version)
    return order


async def locked_action(
    session: AsyncSession,
    viewer: Viewer,
    action_id: int,
    kind: ActionKind,
    expected_version: int | None,
    field: list[str],
) -> tuple[Order, PostsalesAction]:
    """The action of ``kind`` with this id, read after locking its order (so that its status
    is the committed one); NotFound for another kind, a missing or an invisible one."""
    order_id = await session.scalar(
        select(PostsalesAction.order_id).where(
            PostsalesAction.id == action_id, PostsalesAction.kind == kind
        )
    )
    missing = NotFound(f"No such {kind.value.lower()}.", field=field)
    if order_id is None:
        raise missing
    try:
        order = await lock_order(session, viewer, order_id, expected_version, field)
    except NotFound:  # another store's action: exactly as if it did not exist
        raise missing from None
    action = await session.scalar(
        select(PostsalesAction)
        .where(PostsalesAction.id == action_id)
        .execution_options(populate_existing=True)
    )
    assert action is not None
    return order, action
