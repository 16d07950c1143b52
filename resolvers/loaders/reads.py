"""The read sessions of one request's dataloaders.

A session costs a pool checkout (with its ping on PostgreSQL), a BEGIN and a ROLLBACK; the
order detail page's loaders run seven batches in four waves. By default every batch opens a
session of its own. A query operation (nothing in it writes) calls ``share()``: its batches
then take turns on one session. A batch that finds none queued behind it returns that
session's connection to the pool, so the batches of a wave (the lines, actions, history and
linked orders of an order, dispatched together) share one session, and the request never
holds a connection while it waits for another: fifty concurrent appeasements on SQLite's pool
of fifteen waited on each other when the session lived as long as the operation.

A mutation calls ``renew()`` once its write has committed (``Context.after_write``): its
answer is read in sessions begun after the commit, and the next mutation field of the same
operation renews again, so no answer is read from an identity map older than its write.
``close()`` ends whatever is left when the operation ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class RequestReads:
    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory
        self.sharing = False
        self._session: AsyncSession | None = None
        self._turn = asyncio.Lock()
        self._waiting = 0

    def share(self) -> None:
        """From now on, batches take turns on one session (until ``close``)."""
        self.sharing = True

    async def renew(self) -> None:
        """Drop the shared session (if any) and share a new one from now on."""
        await self.close()
        self.sharing = True

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        if not self.sharing:
            async with self.factory() as session:
                yield session
            return
        self._waiting += 1
        try:
            await self._turn.acquire()
        finally:
            self._waiting -= 1
        try:
            if self._session is None:
                self._session = self.factory()
            try:
                yield self._session
            except BaseException:
                # A failed or cancelled statement may leave the transaction unusable: the
                # next batch starts on a new session.
                await self._discard()
                raise
            if not self._waiting:
                # Nobody queued behind this batch: give the connection back rather than hold
                # it while the request does other things.
                await self._discard()
        finally:
            self._turn.release()

    async def close(self) -> None:
        """Return the shared session's connection to the pool; later batches (none, once the
        operation ended) would each open their own session again."""
        self.sharing = False
        async with self._turn:
            await self._discard()

    async def _discard(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await asyncio.shield(session.close())
