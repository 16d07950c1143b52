"""History and comments: the chronological timeline of an order."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import HistoryEntry as EntryRow
from models.enums import ActorKind, HistoryKind
from resolvers.orders import visible_to
from schema.context import Info
from schema.linked import linked_order

if TYPE_CHECKING:
    from schema.history_details import HistoryDetails
    from schema.order import Order

HistoryKindEnum = strawberry.enum(HistoryKind, name="HistoryKind")
ActorKindEnum = strawberry.enum(ActorKind, name="ActorKind")


@strawberry.type(description="Who did something: a user, an integration or the system.")
class Actor:
    kind: ActorKind
    username: str | None = strawberry.field(description="The user's username, for users.")
    display_name: str


@strawberry.type(description="One event on an order's timeline.")
class HistoryEntry:
    id: strawberry.ID
    at: dt.datetime = strawberry.field(description="When, in the viewer's time zone.")
    kind: HistoryKind
    message: str
    row: strawberry.Private[EntryRow]

    @classmethod
    def from_row(cls, row: EntryRow, info: Info) -> HistoryEntry:
        return cls(
            id=strawberry.ID(str(row.id)),
            at=info.context.local(row.at),
            kind=row.kind,
            message=row.message,
            row=row,
        )

    @strawberry.field
    async def actor(self, info: Info) -> Actor:
        r = self.row
        if r.actor_kind is ActorKind.USER and r.actor_user_id is not None:
            user = await info.context.loaders.user.load(r.actor_user_id)
            if user is not None:
                return Actor(
                    kind=r.actor_kind, username=user.username, display_name=user.display_name
                )
        return Actor(kind=r.actor_kind, username=None, display_name=r.actor_label or "system")

    @strawberry.field(description="What the entry recorded, as typed fields.")
    async def details(
        self, info: Info
    ) -> Annotated[HistoryDetails, strawberry.lazy("schema.history_details")]:
        from schema.history_details import details_of

        return await details_of(self.row, info)

    @strawberry.field(description="The exchange, reshipment or origin order this entry links to.")
    async def related_order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("schema.order")] | None:
        from schema.order import Order

        if self.row.related_order_id is None:
            return None
        row = await linked_order(info, self.row.order_id, self.row.related_order_id)
        if row is None or not visible_to(info.context.viewer, row):
            return None
        return Order.from_row(row, info)
