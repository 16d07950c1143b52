"""Base of csdesk's dataloaders: each batch runs in its own short session."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SessionLoader(DataLoader[K, V]):
    """A DataLoader whose batches each open a session from the factory (never a shared one)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        # Our own cache map, so that ``held`` can look into it.
        self.futures: dict[Any, asyncio.Future[V]] = {}
        super().__init__(cache_map=self.futures)
        self.sessionmaker = sessionmaker

    def held(self, key: K) -> asyncio.Future[V] | None:
        """The future of ``key`` when its value is already here (loaded or primed)."""
        future = self.futures.get(key)
        if future is None or not future.done() or future.cancelled():
            return None
        return future if future.exception() is None else None

    async def batch_load_fn(self, keys: list[K]) -> list[V]:
        async with self.sessionmaker() as session:
            return await self.load_batch(session, keys)

    async def load_batch(self, session: AsyncSession, keys: list[K]) -> list[V]:
        raise NotImplementedError


def one_each(keys: Sequence[K], rows: Iterable[Any], key: Callable[[Any], K]) -> list[Any]:
    """Rows matched to keys one to one (None where missing), in the order of the keys."""
    by_key = {key(row): row for row in rows}
    return [by_key.get(k) for k in keys]


def grouped(keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K]) -> list[list[V]]:
    """Rows grouped by key, in the order of the keys (an empty list where none)."""
    groups: dict[K, list[V]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return [groups.get(k, []) for k in keys]
