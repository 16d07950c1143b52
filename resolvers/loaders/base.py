"""Base of csdesk's dataloaders: each batch runs in its own short session."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.loaders.reads import SessionFactory

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SessionLoader(DataLoader[K, V]):
    """A DataLoader whose batches each take a session from the factory: a session of their
    own, or the request's shared one in turns (``RequestReads``)."""

    def __init__(self, sessionmaker: SessionFactory) -> None:
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

    async def fill(self, session: AsyncSession, keys: Iterable[K]) -> None:
        """Load the values of ``keys`` not yet held in ``session`` (a session the caller
        already has open: a list page loads its relations in the page's own session, one
        after the other, rather than in a session per relation) and prime them."""
        missing = list(dict.fromkeys(k for k in keys if k not in self.futures))
        if missing:
            for key, value in zip(missing, await self.load_batch(session, missing), strict=True):
                self.prime(key, value)

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
