"""History entries by order: all of them, or the newest N (still oldest first)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import HistoryEntry, User
from resolvers.loaders.base import SessionLoader, grouped
from resolvers.loaders.reads import SessionFactory
from resolvers.loaders.simple import UserLoader


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
                stmt = select(HistoryEntry).where(HistoryEntry.order_id.in_(order_ids))
            else:
                rank = (
                    func.row_number()
                    .over(
                        partition_by=HistoryEntry.order_id,
                        order_by=(HistoryEntry.at.desc(), HistoryEntry.id.desc()),
                    )
                    .label("rank")
                )
                ranked = (
                    select(HistoryEntry.id, rank)
                    .where(HistoryEntry.order_id.in_(order_ids))
                    .subquery()
                )
                stmt = (
                    select(HistoryEntry)
                    .join(ranked, ranked.c.id == HistoryEntry.id)
                    .where(ranked.c.rank <= last)
                )
            result = await session.execute(
                stmt.add_columns(User)
                .outerjoin(User, User.id == HistoryEntry.actor_user_id)
                .order_by(HistoryEntry.order_id, HistoryEntry.at, HistoryEntry.id)
            )
            rows = []
            for entry, user in result:
                if user is not None:
                    self.users.prime(user.id, user)
                rows.append(entry)
            for order_id, entries in zip(
                order_ids, grouped(order_ids, rows, lambda e: e.order_id), strict=True
            ):
                results[(order_id, last)] = entries
        return [results[k] for k in keys]
