"""The order's journal: its history timeline and the messages it sends (the outbox), both
written in the caller's transaction, so that nothing is recorded or sent for a change that
rolls back, and nothing committed goes unrecorded or unsent. Every history entry also
announces the order as changed to live subscribers when the transaction commits
(``resolvers.live``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import HistoryEntry, OutboxMessage
from models.base import utcnow
from models.enums import ActorKind, Destination, HistoryKind, Permission
from resolvers import live


def add_history(
    session: AsyncSession,
    order_id: int,
    kind: HistoryKind,
    message: str,
    *,
    viewer: Viewer | None = None,
    actor_label: str | None = None,
    actor_kind: ActorKind | None = None,
    details: Mapping[str, Any] | None = None,
    related_order_id: int | None = None,
) -> HistoryEntry:
    """Append a history entry (actor: the viewer, else the integration or system named;
    ``actor_kind`` INTEGRATION names an integration that reports without a login)."""
    entry = HistoryEntry(
        order_id=order_id,
        at=utcnow(),
        kind=kind,
        message=message,
        actor_kind=ActorKind.USER if viewer else (actor_kind or ActorKind.SYSTEM),
        actor_user_id=viewer.user_id if viewer else None,
        actor_label=actor_label,
        details=dict(details or {}),
        related_order_id=related_order_id,
    )
    if viewer is not None and Permission.INTEGRATION in viewer.permissions:
        entry.actor_kind = ActorKind.INTEGRATION
        entry.actor_label = viewer.username
    session.add(entry)
    live.mark(session, order_id, kind)
    return entry


def enqueue(
    session: AsyncSession,
    destination: Destination,
    topic: str,
    payload: Mapping[str, Any],
    order_id: int | None = None,
) -> OutboxMessage:
    """Queue a message for the outbox worker, in the caller's transaction."""
    message = OutboxMessage(
        destination=destination, topic=topic, payload=dict(payload), order_id=order_id
    )
    session.add(message)
    return message
