"""The post-sales queue: actions by kind, status and store, and by their service target
(``breached``, ``dueBefore``: resolvers.ageing), oldest first (keyset pages on created_at, id:
the oldest is the one waiting longest)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import PostsalesAction, Store
from models.base import utcnow
from models.enums import ActionKind, ActionStatus
from resolvers.ageing import Targets
from resolvers.errors import ValidationFailed
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
    breached: bool | None = None
    due_before: dt.datetime | None = None


def _cursor(action: PostsalesAction) -> str:
    return encode_cursor(SORT, action.created_at, action.id)


async def search_actions(
    session: AsyncSession,
    viewer: Viewer,
    f: ActionFilter,
    *,
    first: int,
    after: str | None,
    targets: Targets | None = None,
) -> Page[PostsalesAction]:
    """One keyset page of the actions matching ``f`` within the viewer's stores; ``targets``
    (the service targets) are needed by ``breached`` and ``due_before``."""
    check_first(first)
    where: list[ColumnElement[bool]] = []
    if f.breached is not None or f.due_before is not None:
        assert targets is not None
        if f.breached is not None:
            late = targets.due_before(utcnow())
            where.append(late if f.breached else not_(late))
        if f.due_before is not None:
            if f.due_before.tzinfo is None:
                raise ValidationFailed(
                    "dueBefore needs a UTC offset, e.g. 2026-11-30T18:00:00+01:00.",
                    field=["filter", "dueBefore"],
                )
            where.append(targets.due_before(f.due_before))
    if f.kind is not None:
        where.append(PostsalesAction.kind == f.kind)
    if f.status:
        where.append(PostsalesAction.status.in_(f.status))
    store_ids: list[int] | None = None
    codes = [c.strip().upper() for c in f.store_codes if c.strip()]
    if codes:
        store_ids = list(await session.scalars(select(Store.id).where(Store.code.in_(codes))))
    if (limit := scope(viewer, store_ids, PostsalesAction.store_id)) is not None:
        where.append(limit)
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
