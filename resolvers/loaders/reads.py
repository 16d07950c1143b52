"""The read sessions of one request.

A session costs a pool checkout (with its ping on PostgreSQL), a BEGIN and a ROLLBACK; the
order detail page's loaders run seven batches in four waves. Without sharing, every batch
opens a session of its own.

- A query (nothing in it writes) **holds** one session from the sign-in to the end of the
  operation (``hold()``, by the app before it signs the request in, and by the SharedReads
  extension): the sign-in, the resolvers (``Context.read``) and the dataloaders' batches take
  turns on it, one connection per request. Holding is safe only because nothing else of
  the request needs a connection meanwhile: a request that held one connection while it
  waited for a second could, with every connection of the pool held so, wait for ever. So
  resolvers read through ``Context.read`` (tests/test_layers.py checks it), and a mutation
  lets go of the sign-in's session before it writes.
- A mutation calls ``renew()`` once its write has committed (``Context.after_write``): its
  answer is read in sessions begun after the commit, and the next mutation field of the same
  operation renews again, so no answer is read from an identity map older than its write.
  There the batches **share** a session without holding it: a batch that finds none queued
  behind it returns the connection, so that nothing is held while the next field writes
  (fifty concurrent appeasements on SQLite's pool of fifteen waited on each other when the
  session lived as long as the operation).

``close()`` ends whatever is left when the request ends."""

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
        self.holding = False
        self._session: AsyncSession | None = None
        self._turn = asyncio.Lock()
        self._waiting = 0

    def hold(self) -> None:
        """From now on, batches take turns on one session that stays open until ``close``
        (only while nothing of the request writes)."""
        self.sharing = True
        self.holding = True

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
            if not self._waiting and not self.holding:
                # Nobody queued behind this batch: give the connection back rather than hold
                # it while the request does other things.
                await self._discard()
        finally:
            self._turn.release()

    async def close(self) -> None:
        """Return the shared session's connection to the pool; later batches (none, once the
        operation ended) would each open their own session again."""
        self.sharing = False
        self.holding = False
        async with self._turn:
            await self._discard()

    async def _discard(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await asyncio.shield(session.close())
