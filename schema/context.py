"""The typed GraphQL context, built per request."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from starlette.responses import Response

from auth.permissions import Unauthenticated
from auth.viewer import Viewer
from core.config import Settings
from core.db import Database
from models import User as UserRow
from resolvers.loaders import Loaders
from resolvers.loaders.reads import RequestReads


@dataclass
class LiveConnection:
    """What a WebSocket connection is doing: its running subscriptions and since when it has
    had none (for the idle timeout)."""

    active: int = 0
    idle_since: float = field(default_factory=time.monotonic)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        self.active += 1
        try:
            yield
        finally:
            self.active -= 1
            if not self.active:
                self.idle_since = time.monotonic()


@dataclass
class Context:
    # A Request over HTTP, the WebSocket of a subscription connection.
    request: HTTPConnection
    response: Response | None
    settings: Settings
    db: Database
    viewer: Viewer | None
    loaders: Loaders
    # The loaders' read sessions: one shared by a query's batches (schema/extensions.py).
    reads: RequestReads | None = None
    # Names the request in logs and in the answer to an unexpected error.
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    # WebSocket connections: connection_init's payload, and the connection's subscriptions.
    connection_params: dict[str, Any] | None = None
    live: LiveConnection = field(default_factory=lambda: LiveConnection())
    # The viewer's user row as the sign-in read it: every set of loaders starts with it, so
    # that showing the viewer (an action's creator, a history entry's actor) reads nothing.
    viewer_row: UserRow | None = field(default=None, repr=False)
    _zone: ZoneInfo | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._prime_viewer()

    def _prime_viewer(self) -> None:
        row = self.viewer_row
        if row is not None and self.viewer is not None and row.id == self.viewer.user_id:
            self.loaders.user.prime(row.id, row)

    def read(self) -> contextlib.AbstractAsyncContextManager[AsyncSession]:
        """A read session for a resolver: the request's shared one, in its turn, when the
        operation shares one (a query holds one from its sign-in to its end, a mutation's
        answer shares one: resolvers/loaders/reads.py), else one of its own. Every resolver
        reads through this, never ``db.read()`` (a query holding its session while it waited
        for a second one could wait for ever). Await no dataloader inside it: the loaders
        wait for the same turn."""
        if self.reads is not None and self.reads.sharing:
            return self.reads()
        return self.db.read()

    async def after_write(self) -> None:
        """A mutation's write has committed: what the request read or cached before it is
        out of date. New dataloaders, and (for the answer) a new shared read session."""
        if self.reads is not None:
            await self.reads.renew()
            self.loaders = Loaders.build(self.reads)
        else:
            self.loaders = Loaders.build(self.db.read)
        self._prime_viewer()

    def viewer_or_raise(self) -> Viewer:
        """The signed-in viewer; UNAUTHENTICATED when nobody is (fields guarded by a
        permission never get here without one)."""
        if self.viewer is None:
            raise Unauthenticated()
        return self.viewer

    @property
    def zone(self) -> ZoneInfo:
        """The viewer's time zone, or the configured default when nobody is signed in (kept
        for the request: every instant of a page asks for it)."""
        key = self.viewer.time_zone if self.viewer else self.settings.default_time_zone
        if self._zone is None or self._zone.key != key:
            self._zone = ZoneInfo(key)
        return self._zone

    def local(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` with the viewer's UTC offset."""
        return instant.astimezone(self.zone)


Info = strawberry.Info[Context, None]
