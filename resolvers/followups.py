"""Follow-ups: the guide's "customers that have to be contacted". A follow-up names an order,
who contacts the customer (the assignee) and by when (``due_at``); it is OPEN until the
assignee completes it or it is cancelled. Every step is a FOLLOW_UP entry in the order's
history and bumps the order's version (like a comment), under the same order lock.

Who may do what (the role hierarchy: a lower level manages higher ones):
- create: for yourself, or for a user whose role you manage (level above yours);
- complete: the assignee, or someone who manages the assignee's role;
- reassign: someone who manages the assignee's role, to themselves or a user they manage;
- cancel: the creator, or someone who manages the assignee's role.
The assignee must be active, hold ORDER_VIEW and see the order's store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import FollowUp, Order, Role, Store, User, role_stores
from models.base import utcnow
from models.enums import FollowUpStatus, HistoryKind, Permission, StoreAccess
from resolvers.actions.common import check_comment, lock_order
from resolvers.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from resolvers.journal import add_history
from resolvers.pagination import (
    Page,
    check_first,
    counter,
    cursor_instant,
    decode_cursor,
    encode_cursor,
)
from resolvers.search import scope

MAX_NOTE = 2000
# A due time this far in the past is still accepted (clocks and typing differ a little).
PAST_GRACE = dt.timedelta(minutes=5)
MAX_AHEAD = dt.timedelta(days=366)
SORT = "DUE_AT_ASC"
ID_FIELD = ["input", "id"]


@dataclass(frozen=True)
class Assignee:
    id: int
    username: str
    level: int


@dataclass
class FollowUpFilter:
    assigned_to_me: bool = False
    overdue: bool = False
    # OPEN only unless told otherwise.
    status: list[FollowUpStatus] | None = None
    store_codes: list[str] | None = None


def _manages(viewer: Viewer, assignee: Assignee) -> bool:
    return viewer.role_level < assignee.level


async def _assignee(
    session: AsyncSession, user_id: int, order: Order, field: list[str]
) -> Assignee:
    """The user, if they can take a follow-up on ``order``; ValidationFailed otherwise."""
    row = (
        await session.execute(
            select(
                User.id,
                User.username,
                User.active,
                Role.level,
                Role.permissions,
                Role.store_access,
                Role.id,
            )
            .join(Role, Role.id == User.role_id)
            .where(User.id == user_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No such user.", field=field)
    uid, username, active, level, permissions, access, role_id = row
    sees = access is StoreAccess.ALL
    if access is StoreAccess.SPECIFIC:
        sees = (
            await session.scalar(
                select(func.count())
                .select_from(role_stores)
                .where(role_stores.c.role_id == role_id, role_stores.c.store_id == order.store_id)
            )
        ) == 1
    if not active or Permission.ORDER_VIEW.value not in permissions or not sees:
        raise ValidationFailed(
            f"{username} cannot take this follow-up: they must be active and see the order's "
            "store.",
            field=field,
        )
    return Assignee(uid, username, level)


def _check_due(due_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    field = ["input", "dueAt"]
    if due_at.tzinfo is None:
        raise ValidationFailed(
            "dueAt needs a UTC offset (e.g. 2026-12-01T09:00:00+01:00).", field=field
        )
    if due_at < now - PAST_GRACE:
        raise ValidationFailed("dueAt is in the past.", field=field)
    if due_at > now + MAX_AHEAD:
        raise ValidationFailed("dueAt is more than a year ahead.", field=field)
    return due_at.astimezone(dt.UTC)


def _note(note: str | None, *, required: bool, field: list[str]) -> str | None:
    return check_comment(note, required=required, limit=MAX_NOTE, field=field)


def _history(
    session: AsyncSession,
    viewer: Viewer,
    f: FollowUp,
    step: str,
    message: str,
    **facts: Any,
) -> None:
    add_history(
        session,
        f.order_id,
        HistoryKind.FOLLOW_UP,
        message,
        viewer=viewer,
        details={
            "followUpId": f.id,
            "step": step,
            "dueAt": f.due_at.astimezone(dt.UTC).isoformat(),
            **facts,
        },
    )


async def create(
    session: AsyncSession,
    viewer: Viewer,
    *,
    order_id: int,
    due_at: dt.datetime,
    assignee_id: int | None,
    note: str,
    expected_version: int | None = None,
) -> int:
    """A new OPEN follow-up on the order; its id."""
    now = utcnow()
    due = _check_due(due_at, now)
    text = _note(note, required=True, field=["input", "note"])
    assert text is not None
    order = await lock_order(session, viewer, order_id, expected_version, ["input", "orderId"])
    who = await _assignee(session, assignee_id or viewer.user_id, order, ["input", "assigneeId"])
    if who.id != viewer.user_id and not _manages(viewer, who):
        raise NotAllowed(
            f"You may create follow-ups for yourself or for users whose role you manage, not "
            f"for {who.username}.",
            field=["input", "assigneeId"],
        )
    f = FollowUp(
        order_id=order.id,
        store_id=order.store_id,
        assignee_id=who.id,
        created_by_id=viewer.user_id,
        due_at=due,
        note=text,
        status=FollowUpStatus.OPEN,
        created_at=now,
        updated_at=now,
    )
    session.add(f)
    await session.flush()
    _history(
        session,
        viewer,
        f,
        "CREATED",
        f"Follow-up for {who.username}: {text}",
        assignee=who.username,
        note=text,
    )
    return f.id


async def _open(
    session: AsyncSession, viewer: Viewer, follow_up_id: int
) -> tuple[FollowUp, Assignee]:
    """The follow-up (its order locked), if the viewer sees it and it is OPEN."""
    f = await session.get(FollowUp, follow_up_id)
    if f is None or not viewer.sees_store(f.store_id):
        raise NotFound("No such follow-up.", field=ID_FIELD)
    await lock_order(session, viewer, f.order_id, None, ID_FIELD)
    await session.refresh(f)
    if f.status is not FollowUpStatus.OPEN:
        raise IllegalTransition(
            f"The follow-up is {f.status.value}; only an OPEN one can change.",
            field=ID_FIELD,
            status=f.status.value,
        )
    row = (
        await session.execute(
            select(User.id, User.username, Role.level)
            .join(Role, Role.id == User.role_id)
            .where(User.id == f.assignee_id)
        )
    ).one()
    return f, Assignee(row[0], row[1], row[2])


def _close(f: FollowUp, viewer: Viewer, status: FollowUpStatus) -> None:
    now = utcnow()
    f.status = status
    f.closed_at = now
    f.closed_by_id = viewer.user_id
    f.updated_at = now


async def complete(
    session: AsyncSession, viewer: Viewer, *, follow_up_id: int, note: str | None
) -> int:
    f, who = await _open(session, viewer, follow_up_id)
    if who.id != viewer.user_id and not _manages(viewer, who):
        raise NotAllowed(f"Only {who.username} or a supervisor can complete it.", field=ID_FIELD)
    text = _note(note, required=False, field=["input", "note"])
    _close(f, viewer, FollowUpStatus.DONE)
    _history(
        session,
        viewer,
        f,
        "DONE",
        "Follow-up done" + (f": {text}" if text else "."),
        assignee=who.username,
        note=text,
    )
    return f.id


async def cancel(
    session: AsyncSession, viewer: Viewer, *, follow_up_id: int, note: str | None
) -> int:
    f, who = await _open(session, viewer, follow_up_id)
    if f.created_by_id != viewer.user_id and not _manages(viewer, who):
        raise NotAllowed("Only its creator or a supervisor can cancel it.", field=ID_FIELD)
    text = _note(note, required=False, field=["input", "note"])
    _close(f, viewer, FollowUpStatus.CANCELLED)
    _history(
        session,
        viewer,
        f,
        "CANCELLED",
        "Follow-up cancelled" + (f": {text}" if text else "."),
        assignee=who.username,
        note=text,
    )
    return f.id


async def reassign(
    session: AsyncSession,
    viewer: Viewer,
    *,
    follow_up_id: int,
    assignee_id: int,
    due_at: dt.datetime | None,
    note: str | None,
) -> int:
    f, old = await _open(session, viewer, follow_up_id)
    if not _manages(viewer, old):
        raise NotAllowed(f"Only a supervisor of {old.username} can reassign it.", field=ID_FIELD)
    order = await session.get(Order, f.order_id)
    assert order is not None
    new = await _assignee(session, assignee_id, order, ["input", "assigneeId"])
    if new.id != viewer.user_id and not _manages(viewer, new):
        raise NotAllowed(f"You do not manage {new.username}'s role.", field=["input", "assigneeId"])
    if due_at is not None:
        f.due_at = _check_due(due_at, utcnow())
    text = _note(note, required=False, field=["input", "note"])
    f.assignee_id = new.id
    f.updated_at = utcnow()
    _history(
        session,
        viewer,
        f,
        "REASSIGNED",
        f"Follow-up reassigned from {old.username} to {new.username}"
        + (f": {text}" if text else "."),
        assignee=new.username,
        previousAssignee=old.username,
        note=text,
    )
    return f.id


# --- lists -------------------------------------------------------------------------------


def _cursor(f: FollowUp) -> str:
    return encode_cursor(SORT, f.due_at, f.id)


async def search(
    session: AsyncSession, viewer: Viewer, f: FollowUpFilter, *, first: int, after: str | None
) -> Page[FollowUp]:
    """One keyset page of the follow-ups matching ``f`` in the viewer's stores, soonest due
    first."""
    check_first(first)
    where: list[ColumnElement[bool]] = [FollowUp.status.in_(f.status or [FollowUpStatus.OPEN])]
    if f.assigned_to_me:
        where.append(FollowUp.assignee_id == viewer.user_id)
    if f.overdue:
        where.append(FollowUp.due_at <= utcnow())
    store_ids: list[int] | None = None
    codes = [c.strip().upper() for c in f.store_codes or [] if c.strip()]
    if codes:
        store_ids = list(await session.scalars(select(Store.id).where(Store.code.in_(codes))))
    if (limit := scope(viewer, store_ids, FollowUp.store_id)) is not None:
        where.append(limit)
    stmt = select(FollowUp).where(*where)
    if after:
        value, row_id = decode_cursor(after, SORT)
        at = cursor_instant(value)
        stmt = stmt.where(
            or_(FollowUp.due_at > at, and_(FollowUp.due_at == at, FollowUp.id > row_id))
        )
    rows = list(await session.scalars(stmt.order_by(FollowUp.due_at, FollowUp.id).limit(first + 1)))
    return Page(rows[:first], len(rows) > first, _cursor, counter(FollowUp, where))


async def due_count(session: AsyncSession, viewer: Viewer) -> int:
    """The viewer's OPEN follow-ups due now or earlier, in the stores they see."""
    where: list[ColumnElement[bool]] = [
        FollowUp.assignee_id == viewer.user_id,
        FollowUp.status == FollowUpStatus.OPEN,
        FollowUp.due_at <= utcnow(),
    ]
    if (limit := scope(viewer, None, FollowUp.store_id)) is not None:
        where.append(limit)
    return int(await session.scalar(select(func.count()).select_from(FollowUp).where(*where)) or 0)


async def by_ids(session: AsyncSession, viewer: Viewer, ids: list[int]) -> list[FollowUp]:
    """The follow-ups with these ids that the viewer sees."""
    where: list[ColumnElement[bool]] = [FollowUp.id.in_(ids)]
    if (limit := scope(viewer, None, FollowUp.store_id)) is not None:
        where.append(limit)
    return list(await session.scalars(select(FollowUp).where(*where)))


async def assignees(session: AsyncSession, viewer: Viewer, order_id: int) -> list[User]:
    """Who the viewer may give a follow-up on this order to, by username: themselves and the
    active users whose role they manage, if they see the order's store (none when the viewer
    does not see the order)."""
    order = await session.get(Order, order_id)
    if order is None or not viewer.sees_store(order.store_id):
        return []
    rows = await session.execute(
        select(User, Role)
        .join(Role, Role.id == User.role_id)
        .where(User.active, or_(User.id == viewer.user_id, Role.level > viewer.role_level))
        .order_by(User.username)
    )
    in_store = set(
        await session.scalars(
            select(role_stores.c.role_id).where(role_stores.c.store_id == order.store_id)
        )
    )
    return [
        user
        for user, role in rows
        if Permission.ORDER_VIEW.value in role.permissions
        and (
            role.store_access is StoreAccess.ALL
            or (role.store_access is StoreAccess.SPECIFIC and role.id in in_store)
        )
    ]
