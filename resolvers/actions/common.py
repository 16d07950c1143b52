"""What every order action shares: the order lock and version check, comments, and opening a
post-sales action.

Concurrency: an action first bumps the order's version with a guarded UPDATE. On PostgreSQL
that takes the order's row lock, so actions on one order run one after the other (and see
each other's committed effects); on SQLite the write transaction (BEGIN IMMEDIATE) already
runs alone. Ledger and stock changes are guarded UPDATEs as well, so they hold even for
writes that do not go through an order lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import ExecutableReturnsRows

from auth.viewer import Viewer
from models import Line, Order, PostsalesAction
from models.base import utcnow, whole_row
from models.enums import ActionKind, ActionStatus
from resolvers.errors import CommentInvalid, NotFound, VersionConflict
from resolvers.orders import visible_to


def version_conflict(order: Order, expected_version: int | None) -> VersionConflict:
    return VersionConflict(
        f"Order {order.number} changed since you loaded it (version {order.version}, "
        f"you had {expected_version}); reload it and try again.",
        field=["input", "expectedVersion"],
        current_version=order.version,
    )


async def lock_order(
    session: AsyncSession,
    viewer: Viewer,
    order_id: int,
    expected_version: int | None,
    field: list[str],
) -> Order:
    """Bump the order's version (locking it) and return it as committed; NotFound when it does
    not exist or is outside the viewer's stores, VersionConflict when ``expected_version`` is
    stale. One statement when it succeeds: the UPDATE checks the store scope and the version
    and returns the row (on PostgreSQL after waiting for a concurrent writer of it)."""
    locked = await _bump(session, viewer, expected_version, order_id=order_id)
    if locked is not None:
        return locked
    order = await session.get(Order, order_id, populate_existing=True)
    if order is None or not visible_to(viewer, order):
        raise NotFound("No such order.", field=field)
    raise version_conflict(order, expected_version)


async def lock_order_of_line(
    session: AsyncSession,
    viewer: Viewer,
    line_id: int,
    expected_version: int | None,
    field: list[str],
) -> Order:
    """``lock_order`` for the order that holds ``line_id``, found by the same statement;
    NotFound ("No such line.") when the line does not exist or its order is in a store the
    viewer does not see, exactly as if it did not exist."""
    locked = await _bump(session, viewer, expected_version, line_id=line_id)
    if locked is not None:
        return locked
    order_id = await session.scalar(select(Line.order_id).where(Line.id == line_id))
    if order_id is None:
        raise NotFound("No such line.", field=field)
    try:
        return await lock_order(session, viewer, order_id, expected_version, field)
    except NotFound:
        raise NotFound("No such line.", field=field) from None


# The version bump, built once per shape: by order or by line, with or without the viewer's
# stores and the expected version (building a statement costs about as much as running it).
# A Core UPDATE … RETURNING loaded as Order rows: the ORM's bulk UPDATE path around the same
# SQL cost a twentieth of an appeasement's time.
_ORDERS = cast(Table, Order.__table__)
_OF_LINE = select(Line.order_id).where(Line.id == bindparam("line_id")).scalar_subquery()
_BUMPS: dict[tuple[bool, bool, bool], ExecutableReturnsRows] = {}


def _bump_statement(of_line: bool, scoped: bool, versioned: bool) -> ExecutableReturnsRows:
    key = (of_line, scoped, versioned)
    stmt = _BUMPS.get(key)
    if stmt is None:
        c = _ORDERS.c
        conditions = [c.id == (_OF_LINE if of_line else bindparam("order_id"))]
        if scoped:
            conditions.append(c.store_id.in_(bindparam("stores", expanding=True)))
        if versioned:
            conditions.append(c.version == bindparam("expected_version"))
        bump = (
            update(_ORDERS)
            .where(*conditions)
            .values(version=c.version + 1, updated_at=bindparam("now"))
            .returning(*_ORDERS.c)
        )
        stmt = _BUMPS[key] = (
            select(Order).from_statement(bump).execution_options(populate_existing=True)
        )
    return stmt


async def _bump(
    session: AsyncSession,
    viewer: Viewer,
    expected_version: int | None,
    *,
    order_id: int | None = None,
    line_id: int | None = None,
) -> Order | None:
    visible = viewer.visible_store_ids()
    params: dict[str, Any] = {"now": utcnow()}
    if line_id is not None:
        params["line_id"] = line_id
    else:
        params["order_id"] = order_id
    if visible is not None:
        params["stores"] = sorted(visible)
    if expected_version is not None:
        params["expected_version"] = expected_version
    stmt = _bump_statement(line_id is not None, visible is not None, expected_version is not None)
    locked: Order | None = await session.scalar(stmt, params)
    return locked


def check_comment(text: str | None, *, required: bool, limit: int, field: list[str]) -> str | None:
    """The comment as given (verbatim), or None; CommentInvalid when missing or too long."""
    if text is None or not text.strip():
        if required:
            raise CommentInvalid("A comment is required.", field=field, limit=limit)
        return None
    if len(text) > limit:
        raise CommentInvalid(
            f"The comment has {len(text)} characters; at most {limit} are allowed.",
            field=field,
            limit=limit,
        )
    return text


async def open_action(
    session: AsyncSession,
    viewer: Viewer,
    order: Order,
    kind: ActionKind,
    status: ActionStatus,
    **fields: Any,
) -> PostsalesAction:
    """A new post-sales action on ``order``, created by the viewer now (flushed, so it has an
    id); ``fields`` set the rest (amount, reason_code, comment, return_source_id, …)."""
    now = utcnow()
    action = whole_row(
        PostsalesAction,
        order_id=order.id,
        store_id=order.store_id,
        kind=kind,
        status=status,
        currency=order.currency,
        created_by_id=viewer.user_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(action)
    await session.flush()
    return action


def line_numbers(lines: Sequence[Line]) -> str:
    """ "1, 3, 4": the lines' numbers in order, as history messages name them."""
    return ", ".join(str(line.number) for line in sorted(lines, key=lambda x: x.number))
