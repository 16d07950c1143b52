"""The post-sales queue: actions by kind, status and store, oldest first (keyset pages)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Order, PostsalesAction, Store
from models.enums import ActionKind, ActionStatus
from resolvers.pagination import (
    Page,
    check_first,
    counter,
    cursor_instant,
    decode_cursor,
    encode_cursor,
)
from resolvers.search import scope

SORT = "CREATED_AT_ASC"


@dataclass
class ActionFilter:
    kind: ActionKind | None = None
    status: list[ActionStatus] = field(default_factory=list)
    store_codes: list[str] = field(default_factory=list)


def _cursor(action: PostsalesAction) -> str:
    return encode_cursor(SORT, action.created_at, action.id)


async def search_actions(
    session: AsyncSession, viewer: Viewer, f: ActionFilter, *, first: int, after: str | None
) -> Page[PostsalesAction]:
    """One keyset page of the actions matching ``f`` within the viewer's stores."""
    check_first(first)
    where: list[ColumnElement[bool]] = []
    if f.kind is not None:
        where.append(PostsalesAction.kind == f.kind)
    if f.status:
        where.append(PostsalesAction.status.in_(f.status))
    store_ids: list[int] | None = None
    codes = [c.strip().upper() for c in f.store_codes if c.strip()]
    if codes:
        store_ids = list(await session.scalars(select(Store.id).where(Store.code.in_(codes))))
    if (limit := scope(viewer, store_ids)) is not None:
        where.append(PostsalesAction.order_id.in_(select(Order.id).where(limit)))
    stmt = select(PostsalesAction).where(*where)
    if after:
        value, row_id = decode_cursor(after, SORT)
        at = cursor_instant(value)
        stmt = stmt.where(
            or_(
                PostsalesAction.created_at > at,
                and_(PostsalesAction.created_at == at, PostsalesAction.id > row_id),
            )
        )
    rows = list(
        await session.scalars(
            stmt.order_by(PostsalesAction.created_at, PostsalesAction.id).limit(first + 1)
        )
    )
    return Page(rows[:first], len(rows) > first, _cursor, counter(PostsalesAction, where))
