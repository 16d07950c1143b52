"""History entries by order: all of them, or the newest N (still oldest first)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import HistoryEntry, User
from resolvers.loaders.base import SessionLoader, grouped
from resolvers.loaders.reads import SessionFactory
from resolvers.loaders.rows import Records
from resolvers.loaders.simple import UserLoader

# Entries and their actors as records (resolvers.loaders.rows): a page shows them.
_ENTRY = Records(HistoryEntry)
_ACTOR = Records(User)


def _with_actors(stmt: Select[Any]) -> Select[Any]:
    return (
        stmt.add_columns(*_ACTOR.columns)
        .outerjoin(User, User.id == HistoryEntry.actor_user_id)
        .order_by(HistoryEntry.order_id, HistoryEntry.at, HistoryEntry.id)
    )


# Built once (a page's loaders run them with new parameters): every entry of the orders, and
# the newest ``last`` of each.
_EVERY = _with_actors(
    select(*_ENTRY.columns).where(HistoryEntry.order_id.in_(bindparam("order_ids", expanding=True)))
)
_RANK = (
    func.row_number()
    .over(
        partition_by=HistoryEntry.order_id,
        order_by=(HistoryEntry.at.desc(), HistoryEntry.id.desc()),
    )
    .label("rank")
)
_RANKED = (
    select(HistoryEntry.id, _RANK)
    .where(HistoryEntry.order_id.in_(bindparam("order_ids", expanding=True)))
    .subquery()
)
_NEWEST = _with_actors(
    select(*_ENTRY.columns)
    .join(_RANKED, _RANKED.c.id == HistoryEntry.id)
    .where(_RANKED.c.rank <= bindparam("last"))
)


class HistoryLoader(SessionLoader[tuple[int, int | None], list[HistoryEntry]]):
    """Key: (order id, last) where last=None means every entry. Primes the user loader with
    the entries' actors."""

    def __init__(self, sessionmaker: SessionFactory, users: UserLoader) -> None:
        super().__init__(sessionmaker)
        self.users = users

    async def load_batch(
        self, session: AsyncSession, keys: list[tuple[int, int | None]]
    ) -> list[list[HistoryEntry]]:
        results: dict[tuple[int, int | None], list[HistoryEntry]] = {}
        by_limit: dict[int | None, list[int]] = {}
        for order_id, last in keys:
            by_limit.setdefault(last, []).append(order_id)
        for last, order_ids in by_limit.items():
            if last is None:
                result = await session.execute(_EVERY, {"order_ids": order_ids})
            else:
                result = await session.execute(_NEWEST, {"order_ids": order_ids, "last": last})
            rows = []
            width = _ENTRY.width
            for row in result:
                if row[width] is not None:  # the actor's id
                    self.users.prime(row[width], _ACTOR.of(row[width:]))
                rows.append(_ENTRY.of(row[:width]))
            for order_id, entries in zip(
                order_ids, grouped(order_ids, rows, lambda e: e.order_id), strict=True
            ):
                results[(order_id, last)] = entries
        return [results[k] for k in keys]
