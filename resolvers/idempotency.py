"""Idempotent requests, one algorithm for both kinds: agents' mutations with an idempotency
key (kept per user) and integrations' events with an event id.

A request with a key runs once: the first run claims the key (a row holding a digest of the
operation and its input) in its own write transaction and stores its answer there; a replay
with the same digest gets that answer without running anything; the same key with another
digest is refused. Concurrent duplicates give one effect: the second writer waits on the
first's claim (PostgreSQL's unique index, SQLite's write lock), fails to insert its own, and
then replays.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Select, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.db import Database
from core.money import canonical_amount
from models import (
    IdempotencyRecord,
    InboundEvent,
    Line,
    Order,
    PostsalesAction,
    PostsalesActionLine,
    Refund,
)
from resolvers.errors import DomainError, EventIdReused, IdempotencyKeyReused, ValidationFailed

MAX_KEY_LENGTH = 128
# Claim attempts before giving up: each failed one means another request with the key
# committed first, and the next attempt replays it.
ATTEMPTS = 3


class Claim(Protocol):
    """A row that holds a key: the digest of the request that claimed it and its answer."""

    request_hash: str
    response: dict[str, Any]


@dataclass(frozen=True)
class Slot:
    """Where a key's claim lives: how to find it, how to make it, and the error for a key
    reused with another request."""

    find: Select[Any]
    claim: Callable[[str], Claim]
    reused: DomainError


@dataclass(frozen=True)
class Written:
    """What a run that created an action wrote, as it committed it: the order (locked, its
    version bumped), the action, all its lines and refunds, each with its line, and the
    order's lines when the run read them all after the lock. Its answer shows them without
    reading them back. Never stored with a key: a replay reads."""

    order: Order
    action: PostsalesAction
    action_lines: tuple[tuple[PostsalesActionLine, Line], ...] = ()
    refunds: tuple[tuple[Refund, Line], ...] = ()
    # Every line of the order, as the run left them (empty: the answer reads them).
    lines: tuple[Line, ...] = ()

    def complete(self) -> bool:
        """Every column of every row holds its value (none left unloaded or expired by a
        flush: models.base.whole_row): only then can the answer show them as they are."""
        rows: list[object] = [self.order, self.action, *self.lines]
        for pair in (*self.action_lines, *self.refunds):
            rows.extend(pair)
        for row in rows:
            state = inspect(row)
            if state.unloaded & set(state.mapper.column_attrs.keys()):
                return False
        return True


@dataclass(frozen=True)
class Outcome:
    """What a successful order action did, by id: enough to answer it again on replay."""

    order_id: int
    action_id: int | None = None
    new_order_id: int | None = None
    # What this run wrote (not kept with the key: a replay has none and reads).
    written: Written | None = field(default=None, compare=False, repr=False)

    def stored(self) -> dict[str, Any]:
        """What the key's record keeps of it: the ids."""
        return {
            "order_id": self.order_id,
            "action_id": self.action_id,
            "new_order_id": self.new_order_id,
        }


def _canonical(value: object) -> str:
    # "5", "5.0" and "5.00" are one amount.
    return canonical_amount(value) if isinstance(value, Decimal) else str(value)


def digest(operation: str, request: Mapping[str, Any]) -> str:
    """A digest of the operation and its input, stable across key order and processes."""
    canonical = json.dumps(
        {"operation": operation, "input": request}, sort_keys=True, default=_canonical
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str, field: list[str]) -> None:
    """A key is 1–MAX_KEY_LENGTH characters and not blank."""
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(f"{field[-1]} must be 1–{MAX_KEY_LENGTH} characters.", field=field)


async def run_once(
    db: Database,
    slot: Slot | None,
    request_digest: str,
    work: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
    committed: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """``work``'s answer, run in one write transaction; with a slot, at most once per key
    (a replay returns the stored answer). ``committed`` is called when the answer is that
    of a run of ``work`` here, just committed (not a replay, not an attempt rolled back)."""
    for _attempt in range(ATTEMPTS):
        try:
            async with db.write() as session:
                claim = None
                if slot is not None:
                    seen: Claim | None = await session.scalar(slot.find)
                    if seen is not None:
                        if seen.request_hash != request_digest:
                            raise slot.reused
                        return dict(seen.response)
                    # Claim the key before acting: a concurrent duplicate blocks here on
                    # PostgreSQL until this transaction ends, then replays.
                    claim = slot.claim(request_digest)
                    session.add(claim)
                    await session.flush()
                answer = await work(session)
                if claim is not None:
                    claim.response = answer
                await session.commit()
                if committed is not None:
                    committed()
                return answer
        except IntegrityError:
            if slot is None:
                raise
            continue  # another request with this key committed first: replay its answer
    raise ValidationFailed("The request could not be completed; send it again.", field=["input"])


async def run_action(
    db: Database,
    viewer: Viewer,
    operation: str,
    request: Mapping[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[Outcome]],
) -> Outcome:
    """An agent's order action in one write transaction, once per idempotency key."""
    slot = None
    if idempotency_key is not None:
        check_key(idempotency_key, ["input", "idempotencyKey"])
        slot = Slot(
            find=select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == viewer.user_id,
                IdempotencyRecord.key == idempotency_key,
            ),
            claim=lambda h: IdempotencyRecord(
                user_id=viewer.user_id,
                key=idempotency_key,
                operation=operation,
                request_hash=h,
                response={},
            ),
            reused=IdempotencyKeyReused(
                "This idempotency key was used for a different request; use a new key.",
                field=["input", "idempotencyKey"],
            ),
        )

    latest: list[Outcome] = []  # the latest attempt's
    fresh: list[Outcome] = []  # the attempt that committed

    async def work(session: AsyncSession) -> dict[str, Any]:
        latest[:] = [await action(session)]
        return latest[0].stored()

    stored = await run_once(
        db, slot, digest(operation, request), work, committed=lambda: fresh.extend(latest)
    )
    return fresh[0] if fresh else Outcome(**stored)


async def handle_event(
    db: Database,
    event_id: str,
    kind: str,
    request: Mapping[str, Any],
    handle: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """An integration's event, handled once per event id; returns its answer (a JSON dict),
    or the stored answer when the event was handled before."""
    check_key(event_id, ["input", "eventId"])
    slot = Slot(
        find=select(InboundEvent).where(InboundEvent.event_id == event_id),
        claim=lambda h: InboundEvent(event_id=event_id, kind=kind, request_hash=h),
        reused=EventIdReused(
            f"Event {event_id!r} was received before with other content.",
            field=["input", "eventId"],
        ),
    )
    return await run_once(db, slot, digest(kind, request), handle)
