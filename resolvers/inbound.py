"""Inbound events from integrations, each idempotent on its event id: a repeated event changes
nothing and gets the first answer; the same id with another content is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from csdesk.db import Database
from models import InboundEvent
from resolvers.errors import DomainError, ValidationFailed

MAX_EVENT_ID = 128


class EventIdReused(DomainError):
    """The event id was used before for an event with other content."""

    code = "EVENT_ID_REUSED"


def _digest(kind: str, request: Mapping[str, Any]) -> str:
    canonical = json.dumps({"kind": kind, "event": request}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def handle_once(
    db: Database,
    event_id: str,
    kind: str,
    request: Mapping[str, Any],
    handle: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Run ``handle`` once per event id in one write transaction; return its answer (a JSON
    dict), or the stored answer when the event was handled before."""
    if not event_id.strip() or len(event_id) > MAX_EVENT_ID:
        raise ValidationFailed(
            f"eventId must be 1–{MAX_EVENT_ID} characters.", field=["input", "eventId"]
        )
    digest = _digest(kind, request)
    for _attempt in range(3):
        try:
            async with db.write() as session:
                seen = await session.scalar(
                    select(InboundEvent).where(InboundEvent.event_id == event_id)
                )
                if seen is not None:
                    if seen.kind != kind or seen.request_hash != digest:
                        raise EventIdReused(
                            f"Event {event_id!r} was received before with other content.",
                            field=["input", "eventId"],
                        )
                    return dict(seen.response)
                # Claim the id first, so that a concurrent duplicate waits, then replays.
                record = InboundEvent(event_id=event_id, kind=kind, request_hash=digest)
                session.add(record)
                await session.flush()
                response = await handle(session)
                record.response = response
                await session.commit()
                return response
        except IntegrityError:
            continue
    raise ValidationFailed("The event could not be recorded; send it again.", field=["input"])
