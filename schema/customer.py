"""The customer behind an order: the order's snapshot of them, and what they did before,
within the viewer's stores (``Order.customer``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from models.enums import CustomerType
from resolvers.errors import ValidationFailed
from schema.context import Info

if TYPE_CHECKING:
    from schema.postsales import PostsalesAction


@strawberry.type(description="The customer as the order recorded them.")
class Customer:
    id: str = strawberry.field(description="The storefront's customer id.")
    type: CustomerType
    name: str
    email: str
    phone: str | None
    pk: strawberry.Private[int]

    def _scope(self, info: Info) -> tuple[int, ...] | None:
        viewer = info.context.viewer_or_raise()
        visible = viewer.visible_store_ids()
        return None if visible is None else tuple(sorted(visible))

    @strawberry.field(
        description="How many orders the customer placed (exchange and reshipment orders not "
        "counted), in the stores you see; orders(filter: {customerId}) lists them."
    )
    async def order_count(self, info: Info) -> int:
        return await info.context.loaders.customer_order_count.load((self.pk, self._scope(info)))

    @strawberry.field(
        description="Post-sales actions on the customer's orders created in the last `days` "
        "days (1–3,650), newest first (at most 100), in the stores you see: e.g. the third "
        "appeasement this month."
    )
    async def recent_postsales(
        self, info: Info, days: int = 90
    ) -> list[Annotated[PostsalesAction, strawberry.lazy("schema.postsales")]]:
        from schema.postsales import PostsalesAction

        if not 1 <= days <= 3650:
            raise ValidationFailed("days is 1 to 3,650.", field=["days"])
        key = (self.pk, self._scope(info), days)
        rows = await info.context.loaders.customer_postsales.load(key)
        return [PostsalesAction.from_row(r, info) for r in rows]
