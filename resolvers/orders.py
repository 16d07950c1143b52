"""Order lookups under the viewer's store scope."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Customer, HistoryEntry, Order, Store

_WITH_STORE_AND_CUSTOMER = (
    select(Order, Store, Customer)
    .join(Store, Store.id == Order.store_id)
    .join(Customer, Customer.id == Order.customer_id)
)
# Built once (the detail page and every mutation's answer look an order up).
_BY_ID = _WITH_STORE_AND_CUSTOMER.where(Order.id == bindparam("order_id"))
_BY_NUMBER = _WITH_STORE_AND_CUSTOMER.where(Order.number == bindparam("number"))


def visible_to(viewer: Viewer | None, order: Order) -> bool:
    """True when ``viewer`` may see ``order``; an invisible order behaves as a missing one."""
    return viewer is not None and viewer.sees_store(order.store_id)


async def find_order(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    order_id: int | None = None,
    number: str | None = None,
) -> tuple[Order, Store, Customer] | None:
    """The order with this id or public number, with its store and customer, if it exists and
    the viewer sees its store (one statement)."""
    if order_id is not None:
        result = await session.execute(_BY_ID, {"order_id": order_id})
    elif number is not None:
        result = await session.execute(_BY_NUMBER, {"number": number.strip().upper()})
    else:
        return None
    found = result.one_or_none()
    if found is None or not visible_to(viewer, found[0]):
        return None
    return found[0], found[1], found[2]


async def history_page(
    session: AsyncSession, order_id: int, *, first: int, after: int | None
) -> list[HistoryEntry]:
    """Up to ``first`` history entries of the order, oldest first, after entry ``after``."""
    stmt = select(HistoryEntry).where(HistoryEntry.order_id == order_id)
    if after is not None:
        at = (
            select(HistoryEntry.at)
            .where(HistoryEntry.id == after, HistoryEntry.order_id == order_id)
            .scalar_subquery()
        )
        stmt = stmt.where(
            or_(HistoryEntry.at > at, and_(HistoryEntry.at == at, HistoryEntry.id > after))
        )
    rows = await session.scalars(stmt.order_by(HistoryEntry.at, HistoryEntry.id).limit(first))
    return list(rows)


async def visible_stores(session: AsyncSession, viewer: Viewer) -> list[Store]:
    """The stores whose orders ``viewer`` sees, by code."""
    stmt = select(Store).order_by(Store.code)
    ids = viewer.visible_store_ids()
    if ids is not None:
        stmt = stmt.where(Store.id.in_(ids))
    return list(await session.scalars(stmt))
