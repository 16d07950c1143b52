"""Live announcements of order changes, for the GraphQL subscriptions.

The journal (``resolvers.journal.add_history``) is the one place every order change passes
through; it marks the order as changed in the session (``mark``). When that session commits:

- on PostgreSQL, one ``SELECT pg_notify(...)`` per transaction, run *inside* it just before
  COMMIT, announces each changed order (number, store, new version) on the ``csdesk_live``
  channel: PostgreSQL delivers notifications only when the transaction commits, so a change
  that rolls back announces nothing. Every app process holds one listening connection
  (asyncpg ``add_listener``) and fans the announcements out to its local subscribers
  (``Hub``);
- on SQLite (one process), the same facts are read before COMMIT and handed to the process's
  hub after it.

A hub gives each subscriber a bounded queue; a subscriber too slow to keep up is ended (its
client refetches and subscribes again) rather than letting memory grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, bindparam, cast, event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from models import Order, Store
from models.enums import HistoryKind

log = logging.getLogger("csdesk.live")

CHANNEL = "csdesk_live"
# History kinds whose changes move the post-sales queue (actions created, approved,
# cancelled, refunded, failed).
QUEUE_KINDS = frozenset(
    {
        HistoryKind.APPEASEMENT,
        HistoryKind.RETURN,
        HistoryKind.EXCHANGE,
        HistoryKind.RESHIPMENT,
        HistoryKind.CANCELLATION,
        HistoryKind.PAYMENT,
    }
)
QUEUE_SIZE = 256
_MARKS = "csdesk_live_marks"
_READY = "csdesk_live_ready"


@dataclass(frozen=True)
class Change:
    """A committed change of one order."""

    order_id: int
    number: str
    store_id: int
    store_code: str
    version: int
    # True when it may have changed the post-sales queue.
    queue: bool

    def payload(self) -> str:
        return json.dumps(
            {
                "o": self.order_id,
                "n": self.number,
                "s": self.store_id,
                "c": self.store_code,
                "v": self.version,
                "q": self.queue,
            }
        )

    @classmethod
    def parse(cls, payload: str) -> Change:
        d = json.loads(payload)
        return cls(d["o"], d["n"], d["s"], d["c"], d["v"], bool(d["q"]))


def mark(session: Any, order_id: int, kind: HistoryKind) -> None:
    """Announce ``order_id`` as changed when ``session`` commits (nothing if it rolls back)."""
    marks: dict[int, bool] = session.info.setdefault(_MARKS, {})
    marks[order_id] = marks.get(order_id, False) or kind in QUEUE_KINDS


# --- the hub: local fan-out ----------------------------------------------------------------


class _Subscriber:
    def __init__(self, wants: Callable[[Change], bool]) -> None:
        self.wants = wants
        self.queue: asyncio.Queue[Change | None] = asyncio.Queue(QUEUE_SIZE)


class Hub:
    """This process's subscribers to one database's changes; on PostgreSQL, with the one
    connection that listens for them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.subscribers: set[_Subscriber] = set()
        self._listener: asyncio.Task[None] | None = None
        self._listening: asyncio.Event | None = None

    def publish(self, change: Change) -> None:
        for sub in list(self.subscribers):
            if not sub.wants(change):
                continue
            try:
                sub.queue.put_nowait(change)
            except asyncio.QueueFull:
                log.warning("a live subscriber fell %d events behind; ending it", QUEUE_SIZE)
                self.subscribers.discard(sub)
                while not sub.queue.empty():
                    sub.queue.get_nowait()
                sub.queue.put_nowait(None)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, wants: Callable[[Change], bool]
    ) -> AsyncIterator[asyncio.Queue[Change | None]]:
        """A queue of the changes ``wants`` accepts (None: the subscription must end), live
        once this returns."""
        if not self.url.startswith("sqlite"):
            await self._ensure_listening()
        sub = _Subscriber(wants)
        self.subscribers.add(sub)
        try:
            yield sub.queue
        finally:
            self.subscribers.discard(sub)

    async def _ensure_listening(self) -> None:
        if self._listener is None or self._listener.done():
            self._listening = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(self._listening))
        assert self._listening is not None
        await asyncio.wait_for(self._listening.wait(), timeout=10)

    async def _listen(self, ready: asyncio.Event) -> None:
        """LISTEN on one connection, again after a lost connection (1 s later)."""
        import asyncpg

        dsn = make_url(self.url).set(drivername="postgresql").render_as_string(False)

        def on_notify(conn: Any, pid: int, channel: str, payload: str) -> None:
            try:
                self.publish(Change.parse(payload))
            except (ValueError, KeyError, TypeError):
                log.warning("ignored a malformed %s notification", CHANNEL)

        while True:
            conn = None
            try:
                conn = await asyncpg.connect(dsn)
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(CHANNEL, on_notify)
                ready.set()
                while not lost.is_set() and not conn.is_closed():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), timeout=30)
                    if not lost.is_set():
                        await conn.execute("SELECT 1")  # notice a dead peer
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: try again shortly
                log.warning("live listener lost its connection: %s", exc)
            finally:
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.shield(conn.close(timeout=2))
            await asyncio.sleep(1)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        for sub in list(self.subscribers):
            sub.queue.put_nowait(None)
        self.subscribers.clear()


_hubs: dict[str, Hub] = {}


def _key(url: Any) -> str:
    return str(make_url(str(url)).render_as_string(hide_password=False))


def hub_for(url: Any) -> Hub:
    """This process's hub of the database at ``url`` (one per database)."""
    key = _key(url)
    if key not in _hubs:
        _hubs[key] = Hub(key)
    return _hubs[key]


async def close_hub(url: Any) -> None:
    hub = _hubs.pop(_key(url), None)
    if hub is not None:
        await hub.close()


# --- the session hooks -----------------------------------------------------------------------


# Built once (statements are dearer to build than to run): the changed orders (order_ids)
# with their number, store and version, and whether each may have moved the queue
# (queue_ids).
_CHANGES = (
    select(
        Order.id,
        Order.number,
        Order.store_id,
        Store.code,
        Order.version,
        Order.id.in_(bindparam("queue_ids", expanding=True)),
    )
    .join(Store, Store.id == Order.store_id)
    .where(Order.id.in_(bindparam("order_ids", expanding=True)))
)
_q = _CHANGES.subquery()
_NOTIFY = select(
    func.pg_notify(
        CHANNEL,
        cast(
            func.json_build_object(
                "o", _q.c.id, "n", _q.c.number, "s", _q.c.store_id, "c", _q.c.code,
                "v", _q.c.version, "q", _q.c[5],
            ),
            Text,
        ),
    )
).select_from(_q)  # fmt: skip


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    marks: dict[int, bool] | None = session.info.pop(_MARKS, None)
    if not marks:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    params = {"order_ids": sorted(marks), "queue_ids": sorted(k for k, v in marks.items() if v)}
    if bind.dialect.name == "postgresql":
        session.execute(_NOTIFY, params)
        return
    rows = session.execute(_CHANGES, params).all()
    session.info[_READY] = (
        engine.url,
        [Change(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows],
    )


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    ready = session.info.pop(_READY, None)
    if ready is None:
        return
    url, changes = ready
    hub = _hubs.get(_key(url))
    if hub is not None:
        for change in changes:
            hub.publish(change)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_MARKS, None)
        session.info.pop(_READY, None)
