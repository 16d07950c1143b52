"""Follow-ups: the list (``followUps``), the due count on ``Viewer`` and the four mutations.
Times are shown in the viewer's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from models import FollowUp as FollowUpRow
from models.enums import FollowUpStatus
from resolvers import followups
from resolvers.errors import NotFound as NotFoundError
from schema import ids
from schema.context import Info
from schema.errors import (
    CommentInvalid,
    IllegalTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from schema.order import Order
from schema.pagination import Connection
from schema.user import User

FollowUpStatusEnum = strawberry.enum(
    FollowUpStatus, name="FollowUpStatus", description="OPEN until DONE or CANCELLED."
)


@strawberry.type(description="A customer to contact: on which order, by whom and by when.")
class FollowUp:
    id: strawberry.ID = strawberry.field(description="Global id (type FollowUp).")
    status: FollowUpStatus
    note: str = strawberry.field(description="What to contact the customer about.")
    due_at: dt.datetime = strawberry.field(description="Due by, in the viewer's time zone.")
    overdue: bool = strawberry.field(description="OPEN and due now or earlier.")
    created_at: dt.datetime = strawberry.field(description="In the viewer's time zone.")
    closed_at: dt.datetime | None = strawberry.field(
        description="When it was completed or cancelled, in the viewer's time zone."
    )
    row: strawberry.Private[FollowUpRow]

    @classmethod
    def from_row(cls, row: FollowUpRow, info: Info) -> FollowUp:
        ctx = info.context
        return cls(
            id=ids.encode("FollowUp", row.id),
            status=row.status,
            note=row.note,
            due_at=ctx.local(row.due_at),
            overdue=row.status is FollowUpStatus.OPEN and row.due_at <= dt.datetime.now(dt.UTC),
            created_at=ctx.local(row.created_at),
            closed_at=ctx.local(row.closed_at) if row.closed_at else None,
            row=row,
        )

    @strawberry.field(description="The order whose customer is to be contacted.")
    async def order(self, info: Info) -> Order:
        return Order.from_row(await info.context.loaders.order.load(self.row.order_id), info)

    async def _user(self, info: Info, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        row = await info.context.loaders.user.load(user_id)
        return User.brief(row) if row else None

    @strawberry.field(description="Who contacts the customer.")
    async def assignee(self, info: Info) -> User | None:
        return await self._user(info, self.row.assignee_id)

    @strawberry.field
    async def created_by(self, info: Info) -> User | None:
        return await self._user(info, self.row.created_by_id)

    @strawberry.field(description="Who completed or cancelled it.")
    async def closed_by(self, info: Info) -> User | None:
        return await self._user(info, self.row.closed_by_id)


@strawberry.input(description="Filters of the follow-up list, combined with AND.")
class FollowUpFilter:
    assigned_to_me: bool = strawberry.field(default=False, description="Only yours.")
    overdue: bool = strawberry.field(default=False, description="Only those due now or earlier.")
    status: list[FollowUpStatus] | None = strawberry.field(
        default=None, description="OPEN when omitted."
    )
    store_codes: list[str] | None = None


async def follow_ups(
    info: Info, filter: FollowUpFilter | None = None, first: int = 20, after: str | None = None
) -> Connection[FollowUp]:
    """Follow-ups in your stores, soonest due first (OPEN ones unless `status` says)."""
    ctx = info.context
    f = filter or FollowUpFilter()
    domain = followups.FollowUpFilter(
        assigned_to_me=f.assigned_to_me,
        overdue=f.overdue,
        status=list(f.status or []),
        store_codes=list(f.store_codes or []),
    )
    async with ctx.read() as session:
        page = await followups.search(
            session, ctx.viewer_or_raise(), domain, first=first, after=after
        )
    return Connection.of(page, lambda row: FollowUp.from_row(row, info), after=after)


async def follow_up_assignees(info: Info, order_id: strawberry.ID) -> list[User]:
    """Who you may give a follow-up on this order to: yourself and the users you manage who
    see its store."""
    parsed = ids.parse(order_id)
    if parsed is None or parsed[0] != "Order":
        return []
    async with info.context.read() as session:
        rows = await followups.assignees(session, info.context.viewer_or_raise(), parsed[1])
    return [User.brief(row) for row in rows]


async def _answer(info: Info, follow_up_id: int) -> FollowUp:
    async with info.context.read() as session:
        found = await followups.by_ids(session, info.context.viewer_or_raise(), [follow_up_id])
    if not found:
        raise NotFoundError("The follow-up is no longer visible.", field=["input"])
    return FollowUp.from_row(found[0], info)


@strawberry.type
class FollowUpChanged:
    follow_up: FollowUp = strawberry.field(description="The follow-up as it is now.")


@strawberry.input
class FollowUpCreateInput:
    order_id: strawberry.ID
    due_at: dt.datetime = strawberry.field(description="With its UTC offset; not in the past.")
    note: str = strawberry.field(description="1–2,000 characters.")
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="A User id; yourself when omitted."
    )
    expected_version: int | None = strawberry.field(
        default=None, description="The order's version as loaded: refused when it changed since."
    )


@strawberry.input
class FollowUpCloseInput:
    id: strawberry.ID
    note: str | None = strawberry.field(default=None, description="Up to 2,000 characters.")


@strawberry.input
class FollowUpReassignInput:
    id: strawberry.ID
    assignee_id: strawberry.ID
    due_at: dt.datetime | None = strawberry.field(default=None, description="A new due time.")
    note: str | None = strawberry.field(default=None, description="Up to 2,000 characters.")


FollowUpResult = Annotated[
    FollowUpChanged
    | CommentInvalid
    | IllegalTransition
    | NotAllowed
    | NotFound
    | ValidationFailed
    | VersionConflict,
    strawberry.union("FollowUpResult"),
]


async def follow_up_create(info: Info, input: FollowUpCreateInput) -> FollowUpResult:
    """A customer to contact by `dueAt`: yours, or a user's whose role you manage."""
    viewer = info.context.viewer_or_raise()
    order_id = ids.decode(input.order_id, "Order", ["input", "orderId"])
    assignee_id = ids.decode_optional(input.assignee_id, "User", ["input", "assigneeId"])
    async with info.context.db.write() as session:
        new_id = await followups.create(
            session,
            viewer,
            order_id=order_id,
            due_at=input.due_at,
            assignee_id=assignee_id,
            note=input.note,
            expected_version=input.expected_version,
        )
        await session.commit()
    return FollowUpChanged(follow_up=await _answer(info, new_id))


async def follow_up_complete(info: Info, input: FollowUpCloseInput) -> FollowUpResult:
    """The customer was contacted (the assignee, or a supervisor of theirs)."""
    viewer = info.context.viewer_or_raise()
    follow_up_id = ids.decode(input.id, "FollowUp", ["input", "id"])
    async with info.context.db.write() as session:
        await followups.complete(session, viewer, follow_up_id=follow_up_id, note=input.note)
        await session.commit()
    return FollowUpChanged(follow_up=await _answer(info, follow_up_id))


async def follow_up_cancel(info: Info, input: FollowUpCloseInput) -> FollowUpResult:
    """No contact needed after all (its creator, or a supervisor of the assignee)."""
    viewer = info.context.viewer_or_raise()
    follow_up_id = ids.decode(input.id, "FollowUp", ["input", "id"])
    async with info.context.db.write() as session:
        await followups.cancel(session, viewer, follow_up_id=follow_up_id, note=input.note)
        await session.commit()
    return FollowUpChanged(follow_up=await _answer(info, follow_up_id))


async def follow_up_reassign(info: Info, input: FollowUpReassignInput) -> FollowUpResult:
    """Hand a follow-up to another user (a supervisor of the assignee)."""
    viewer = info.context.viewer_or_raise()
    follow_up_id = ids.decode(input.id, "FollowUp", ["input", "id"])
    assignee_id = ids.decode(input.assignee_id, "User", ["input", "assigneeId"])
    async with info.context.db.write() as session:
        await followups.reassign(
            session,
            viewer,
            follow_up_id=follow_up_id,
            assignee_id=assignee_id,
            due_at=input.due_at,
            note=input.note,
        )
        await session.commit()
    return FollowUpChanged(follow_up=await _answer(info, follow_up_id))
