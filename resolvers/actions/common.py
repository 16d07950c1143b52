"""What every order action shares: ids, the order lock and version check, history, outbox,
comments, and idempotent replay.

Concurrency: an action first bumps the order's version with a guarded UPDATE. On PostgreSQL
that takes the order's row lock, so actions on one order run one after the other (and see
each other's committed effects); on SQLite the write transaction (BEGIN IMMEDIATE) already
runs alone. Ledger and stock changes are guarded UPDATEs as well, so they hold even for
writes that do not go through an order lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import GlobalID

from auth.viewer import Viewer
from csdesk.db import Database
from models import HistoryEntry, IdempotencyRecord, Order, OutboxMessage, PostsalesAction
from models.base import utcnow
from models.enums import ActionKind, ActionStatus, ActorKind, HistoryKind, Permission
from resolvers.errors import (
    CommentInvalid,
    IdempotencyKeyReused,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from resolvers.ids import db_id
from resolvers.orders import visible_to

MAX_KEY_LENGTH = 128


def decode_id(value: str, type_name: str, field: list[str]) -> int:
    """The database id inside a Relay global id of ``type_name``; NotFound otherwise."""
    try:
        gid = GlobalID.from_id(value)
        row_id = db_id(gid.node_id)
        if gid.type_name == type_name and row_id is not None:
            return row_id
    except Exception:  # malformed base64 or JSON: treated as an unknown id
        pass
    raise NotFound(f"No {type_name} has the id {value!r}.", field=field)


def encode_id(type_name: str, row_id: int) -> str:
    return str(GlobalID(type_name, str(row_id)))


async def lock_order(
    session: AsyncSession,
    viewer: Viewer,
    order_id: int,
    expected_version: int | None,
    field: list[str],
) -> Order:
    """Bump the order's version (locking it) and return it; NotFound when it does not exist
    or is outside the viewer's stores, VersionConflict when ``expected_version`` is stale."""
    order = await session.get(Order, order_id)
    if order is None or not visible_to(viewer, order):
        raise NotFound("No such order.", field=field)
    conditions = [Order.id == order_id]
    if expected_version is not None:
        conditions.append(Order.version == expected_version)
    result = await session.execute(
        update(Order)
        .where(*conditions)
        .values(version=Order.version + 1, updated_at=utcnow())
        .returning(Order.version)
    )
    new_version = result.scalar_one_or_none()
    if new_version is None:
        await session.refresh(order)
        raise VersionConflict(
            f"Order {order.number} changed since you loaded it (version {order.version}, "
            f"you had {expected_version}); reload it and try again.",
            field=["input", "expectedVersion"],
            current_version=order.version,
        )
    await session.refresh(order)
    return order


def check_comment(text: str | None, *, required: bool, limit: int, field: list[str]) -> str | None:
    """The comment as given (verbatim), or None; CommentInvalid when missing or too long."""
    if text is None or not text.strip():
        if required:
            raise CommentInvalid("A comment is required.", field=field, limit=limit)
        return None
    if len(text) > limit:
        raise CommentInvalid(
            f"The comment has {len(text)} characters; at most {limit} are allowed.",
            field=field,
            limit=limit,
        )
    return text


def add_history(
    session: AsyncSession,
    order_id: int,
    kind: HistoryKind,
    message: str,
    *,
    viewer: Viewer | None = None,
    actor_label: str | None = None,
    details: Mapping[str, Any] | None = None,
    related_order_id: int | None = None,
) -> HistoryEntry:
    """Append a history entry (actor: the viewer, else the integration or system named)."""
    entry = HistoryEntry(
        order_id=order_id,
        at=utcnow(),
        kind=kind,
        message=message,
        actor_kind=ActorKind.USER if viewer else ActorKind.SYSTEM,
        actor_user_id=viewer.user_id if viewer else None,
        actor_label=actor_label,
        details=dict(details or {}),
        related_order_id=related_order_id,
    )
    if viewer is not None and Permission.INTEGRATION in viewer.permissions:
        entry.actor_kind = ActorKind.INTEGRATION
        entry.actor_label = viewer.username
    session.add(entry)
    return entry


async def open_action(
    session: AsyncSession,
    viewer: Viewer,
    order: Order,
    kind: ActionKind,
    status: ActionStatus,
    **fields: Any,
) -> PostsalesAction:
    """A new post-sales action on ``order``, created by the viewer now (flushed, so it has an
    id); ``fields`` set the rest (amount, reason_code, comment, return_source_id, …)."""
    now = utcnow()
    action = PostsalesAction(
        order_id=order.id,
        kind=kind,
        status=status,
        currency=order.currency,
        created_by_id=viewer.user_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(action)
    await session.flush()
    return action


def enqueue(
    session: AsyncSession,
    destination: str,
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


# --- idempotency ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a successful action did, by id: enough to answer it again on replay."""

    order_id: int
    action_id: int | None = None
    new_order_id: int | None = None


T = TypeVar("T")


def request_hash(operation: str, request: Mapping[str, Any]) -> str:
    canonical = json.dumps({"operation": operation, "input": request}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def run_action(
    db: Database,
    viewer: Viewer,
    operation: str,
    request: Mapping[str, Any],
    idempotency_key: str | None,
    action: Callable[[AsyncSession], Awaitable[Outcome]],
) -> Outcome:
    """Run ``action`` in one write transaction; with an idempotency key, a replay of the
    same input returns the first outcome without running anything, and the same key with
    another input is refused. Concurrent duplicates give one effect: the key's record is
    written in the action's transaction, and a second writer waits on it (PostgreSQL's
    unique index, SQLite's write lock) and then replays."""
    if idempotency_key is not None and (
        not idempotency_key.strip() or len(idempotency_key) > MAX_KEY_LENGTH
    ):
        raise ValidationFailed(
            f"idempotencyKey must be 1–{MAX_KEY_LENGTH} characters.",
            field=["input", "idempotencyKey"],
        )
    digest = request_hash(operation, request)
    for _attempt in range(3):
        try:
            async with db.write() as session:
                record = None
                if idempotency_key is not None:
                    replay = await _replay(session, viewer, idempotency_key, operation, digest)
                    if replay is not None:
                        return replay
                    # Claim the key before acting: a concurrent duplicate blocks here on
                    # PostgreSQL until this transaction ends, then replays.
                    record = IdempotencyRecord(
                        user_id=viewer.user_id,
                        key=idempotency_key,
                        operation=operation,
                        request_hash=digest,
                        response={},
                    )
                    session.add(record)
                    await session.flush()
                outcome = await action(session)
                if record is not None:
                    record.response = asdict(outcome)
                await session.commit()
                return outcome
        except IntegrityError:
            if idempotency_key is None:
                raise
            # Another request with this key committed first: replay its outcome.
            continue
    raise ValidationFailed(
        "The request could not be completed; try again.", field=["input", "idempotencyKey"]
    )


async def _replay(
    session: AsyncSession, viewer: Viewer, key: str, operation: str, digest: str
) -> Outcome | None:
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == viewer.user_id, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.operation != operation or record.request_hash != digest:
        raise IdempotencyKeyReused(
            "This idempotency key was used for a different request; use a new key.",
            field=["input", "idempotencyKey"],
        )
    return Outcome(**record.response)
