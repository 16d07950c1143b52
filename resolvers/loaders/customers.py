"""The customer behind an order, beyond the order's snapshot: how many orders they placed and
their recent post-sales actions, within the stores the viewer sees (an order outside them
does not exist for the viewer, so it is not counted either)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from models import Order, PostsalesAction
from models.base import utcnow
from models.enums import OrderType
from resolvers.loaders.base import SessionLoader

# The stores a viewer sees (None: every store), as a hashable loader key part.
Scope = tuple[int, ...] | None
# Most recent actions listed per customer.
MAX_RECENT = 100


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    return true() if scope is None else Order.store_id.in_(scope)


class CustomerOrderCountLoader(SessionLoader[tuple[int, Scope], int]):
    """Key (customer id, scope): the customer's orders (not their exchange or reshipment
    orders: those were not placed by them) in the stores of the scope."""

    async def load_batch(self, session: AsyncSession, keys: list[tuple[int, Scope]]) -> list[int]:
        counts: dict[tuple[int, Scope], int] = {}
        by_scope: dict[Scope, list[int]] = defaultdict(list)
        for customer_id, scope in keys:
            by_scope[scope].append(customer_id)
        for scope, customer_ids in by_scope.items():
            rows = await session.execute(
                select(Order.customer_id, func.count())
                .where(
                    Order.customer_id.in_(customer_ids),
                    Order.order_type == OrderType.NORMAL,
                    _in_scope(scope),
                )
                .group_by(Order.customer_id)
            )
            found = {customer_id: n for customer_id, n in rows.all()}
            for customer_id in customer_ids:
                counts[(customer_id, scope)] = int(found.get(customer_id, 0))
        return [counts[k] for k in keys]


class CustomerPostsalesLoader(SessionLoader[tuple[int, Scope, int], list[PostsalesAction]]):
    """Key (customer id, scope, days): the post-sales actions on the customer's orders in the
    scope created in the last ``days`` days, newest first (at most MAX_RECENT)."""

    async def load_batch(
        self, session: AsyncSession, keys: list[tuple[int, Scope, int]]
    ) -> list[list[PostsalesAction]]:
        now = utcnow()
        found: dict[tuple[int, Scope, int], list[PostsalesAction]] = {}
        groups: dict[tuple[Scope, int], list[int]] = defaultdict(list)
        for customer_id, scope, days in keys:
            groups[(scope, days)].append(customer_id)
        for (scope, days), customer_ids in groups.items():
            since = now - dt.timedelta(days=days)
            rows = await session.execute(
                select(PostsalesAction, Order.customer_id)
                .join(Order, Order.id == PostsalesAction.order_id)
                .where(
                    Order.customer_id.in_(customer_ids),
                    _in_scope(scope),
                    PostsalesAction.created_at >= since,
                )
                .order_by(PostsalesAction.created_at.desc(), PostsalesAction.id.desc())
            )
            per: dict[int, list[PostsalesAction]] = defaultdict(list)
            for action, customer_id in rows.all():
                if len(per[customer_id]) < MAX_RECENT:
                    per[customer_id].append(action)
            for customer_id in customer_ids:
                found[(customer_id, scope, days)] = per.get(customer_id, [])
        return [found[k] for k in keys]
