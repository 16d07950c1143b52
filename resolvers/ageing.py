"""Queue ageing: how long a post-sales action has waited, when it is due under its store's
service target, and whether it breached it.

A service target is a number of hours per kind of waiting, for every store (``store_code``
None) or for one store (which then overrides the default there):

- RETURN_APPROVAL: a return REQUESTED should be approved (or cancelled) within it;
- APPEASEMENT_APPROVAL: an appeasement AWAITING_APPROVAL should be decided within it.

An action that waits for one of these is due at ``created_at + hours`` and breached once that
instant has passed; any other action (or one whose store has no target for it) is due never
and breached never. The targets live in the settings (``resolvers.settings``); the queue
filters on them in SQL, one condition per group of stores sharing a target, so the filters
use the index (status, store_id, created_at) of ``postsales_action``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, or_

from models import PostsalesAction
from models.enums import ActionKind, ActionStatus

MAX_HOURS = 24 * 366


class TargetKind(enum.StrEnum):
    RETURN_APPROVAL = "RETURN_APPROVAL"
    APPEASEMENT_APPROVAL = "APPEASEMENT_APPROVAL"


# What an action of each target waits in: its kind and status.
WAITING: dict[TargetKind, tuple[ActionKind, ActionStatus]] = {
    TargetKind.RETURN_APPROVAL: (ActionKind.RETURN, ActionStatus.REQUESTED),
    TargetKind.APPEASEMENT_APPROVAL: (ActionKind.APPEASEMENT, ActionStatus.AWAITING_APPROVAL),
}


@dataclass(frozen=True)
class Target:
    store_code: str | None
    kind: TargetKind
    hours: int


# The guide's desk: returns approved within two days, approvals decided within a day.
DEFAULT_TARGETS = (
    Target(None, TargetKind.RETURN_APPROVAL, 48),
    Target(None, TargetKind.APPEASEMENT_APPROVAL, 24),
)


def waits_for(action: PostsalesAction) -> TargetKind | None:
    """The target the action is waiting under, if any."""
    for kind, (action_kind, status) in WAITING.items():
        if action.kind is action_kind and action.status is status:
            return kind
    return None


@dataclass(frozen=True)
class Targets:
    """The targets resolved to store ids: the default per kind, and each store's overrides."""

    default: Mapping[TargetKind, int] = field(default_factory=dict)
    by_store: Mapping[int, Mapping[TargetKind, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, targets: Iterable[Target], store_ids: Mapping[str, int]) -> Targets:
        default: dict[TargetKind, int] = {}
        by_store: dict[int, dict[TargetKind, int]] = {}
        for t in targets:
            if t.store_code is None:
                default[t.kind] = t.hours
            elif (store_id := store_ids.get(t.store_code)) is not None:
                by_store.setdefault(store_id, {})[t.kind] = t.hours
        return cls(default, by_store)

    def hours(self, store_id: int, kind: TargetKind) -> int | None:
        own = self.by_store.get(store_id, {})
        return own[kind] if kind in own else self.default.get(kind)

    def due_at(self, action: PostsalesAction) -> dt.datetime | None:
        """When the action is due, or None when it waits under no target."""
        kind = waits_for(action)
        hours = self.hours(action.store_id, kind) if kind is not None else None
        return action.created_at + dt.timedelta(hours=hours) if hours is not None else None

    def due_before(self, instant: dt.datetime) -> ColumnElement[bool]:
        """SQL: the actions waiting under a target that are due before ``instant``."""
        whole = []
        for kind, (action_kind, status) in WAITING.items():
            groups: dict[int, list[int]] = {}
            for store_id, own in self.by_store.items():
                if kind in own:
                    groups.setdefault(own[kind], []).append(store_id)
            overridden = sorted(s for ids in groups.values() for s in ids)
            clauses = [
                and_(
                    PostsalesAction.store_id.in_(sorted(ids)),
                    PostsalesAction.created_at < instant - dt.timedelta(hours=hours),
                )
                for hours, ids in sorted(groups.items())
            ]
            if kind in self.default:
                since = instant - dt.timedelta(hours=self.default[kind])
                clauses.append(
                    and_(
                        PostsalesAction.store_id.not_in(overridden),
                        PostsalesAction.created_at < since,
                    )
                    if overridden
                    else PostsalesAction.created_at < since
                )
            if clauses:
                whole.append(
                    and_(
                        PostsalesAction.kind == action_kind,
                        PostsalesAction.status == status,
                        or_(*clauses),
                    )
                )
        return or_(*whole) if whole else false()
