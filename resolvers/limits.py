"""Appeasement limits: what a role's users may give without a second user's approval, per
currency, per appeasement and per user per calendar day (in the user's time zone).

A role without a limit in a currency (no row, or a null figure) is unlimited there, so roles
made before limits existed appease exactly as they did. An appeasement above the creator's
authority waits for approval (``resolvers.actions.appeasement_review``); what counts towards
the day are the creator's appeasements of that day and currency that went through on their
own authority and were not cancelled (approved ones were someone else's decision).

Managing limits follows role administration (``resolvers.admin.grants``): nobody changes
their own role's limits, and a manager grants at most their own limit in each currency where
they have one (so a level-2 supervisor with a 500 EUR limit cannot give an agent 1,000 EUR).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.sessions import limits_of
from auth.viewer import Viewer
from core.money import Money, has_currency_precision, minor_units
from models import PostsalesAction, Role, User
from models.base import utcnow
from models.enums import ActionKind, ActionStatus
from resolvers.errors import NotAllowed, ValidationFailed

CURRENCY = re.compile(r"[A-Z]{3}")
# Appeasements that spent the creator's own authority unless someone else decided them.
NOT_SPENT = (ActionStatus.CANCELLED, ActionStatus.REJECTED, ActionStatus.AWAITING_APPROVAL)
MAX_LIMIT = Decimal("1e12")


class ApprovalReason(enum.StrEnum):
    """Why an appeasement needs a second user's approval."""

    PER_ACTION_LIMIT = "PER_ACTION_LIMIT"
    DAILY_LIMIT = "DAILY_LIMIT"


@dataclass(frozen=True)
class Limit:
    currency: str
    per_action: Decimal | None
    per_day: Decimal | None


@dataclass(frozen=True)
class Authority:
    """What the viewer may still give in one currency today without approval."""

    currency: str
    per_action: Money | None
    per_day: Money | None
    used_today: Money

    @property
    def remaining(self) -> Money | None:
        """The largest appeasement that needs no approval now; None: no limit."""
        left = [
            m
            for m in (
                self.per_action,
                (self.per_day - self.used_today) if self.per_day is not None else None,
            )
            if m is not None
        ]
        if not left:
            return None
        least = min(left, key=lambda m: m.amount)
        return least if least.amount > 0 else Money.zero(self.currency)

    def needs_approval(self, amount: Money) -> ApprovalReason | None:
        """Why ``amount`` needs approval, or None when the viewer may give it alone."""
        if self.per_action is not None and self.per_action < amount:
            return ApprovalReason.PER_ACTION_LIMIT
        if self.per_day is not None and self.per_day < self.used_today + amount:
            return ApprovalReason.DAILY_LIMIT
        return None

    def explain(self, reason: ApprovalReason) -> str:
        """ "above your limit of £50.00 per appeasement", for messages."""
        if reason is ApprovalReason.PER_ACTION_LIMIT:
            return f"above the creator's limit of {self.per_action} per appeasement"
        return f"above the creator's daily limit of {self.per_day} ({self.used_today} given today)"


def role_limits(role: Role) -> list[Limit]:
    """The role's limits, by currency."""
    return [Limit(*x) for x in limits_of(role.appeasement_limits)]


def viewer_limits(viewer: Viewer) -> dict[str, Limit]:
    """The viewer's role's limits (as of their request), by currency."""
    return {x[0]: Limit(*x) for x in viewer.appeasement_limits}


def day_window(zone_name: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The UTC bounds of ``now``'s calendar day in the zone (DST-aware)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    day = now.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(), zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


async def used_today(
    session: AsyncSession, viewer: Viewer, currency: str, now: dt.datetime | None = None
) -> Money:
    """What the viewer gave today (their zone) in ``currency`` on their own authority."""
    start, end = day_window(viewer.time_zone, now or utcnow())
    amounts = await session.scalars(
        select(PostsalesAction.amount).where(
            PostsalesAction.created_by_id == viewer.user_id,
            PostsalesAction.created_at >= start,
            PostsalesAction.created_at < end,
            PostsalesAction.kind == ActionKind.APPEASEMENT,
            PostsalesAction.currency == currency,
            PostsalesAction.decided_by_id.is_(None),
            PostsalesAction.status.not_in(NOT_SPENT),
        )
    )
    # Summed in Decimal: SQLite would sum binary floats.
    return Money.of(sum((Decimal(a) for a in amounts if a is not None), Decimal(0)), currency)


async def authority(
    session: AsyncSession, viewer: Viewer, currency: str, *, lock: bool = False
) -> Authority:
    """The viewer's authority in ``currency`` now (a statement only under a daily limit).
    ``lock`` (a real run) first locks the viewer's user row when a daily limit applies, so
    that two of their appeasements on different orders cannot both count the day's total
    without the other (PostgreSQL; SQLite runs one writer at a time)."""
    limit = viewer_limits(viewer).get(currency)
    if limit is None:
        return Authority(currency, None, None, Money.zero(currency))
    used = Money.zero(currency)
    if limit.per_day is not None:
        if lock:
            await session.execute(
                select(User.id).where(User.id == viewer.user_id).with_for_update()
            )
        used = await used_today(session, viewer, currency)
    return Authority(
        currency,
        Money.of(limit.per_action, currency) if limit.per_action is not None else None,
        Money.of(limit.per_day, currency) if limit.per_day is not None else None,
        used,
    )


def check_limits(limits: Sequence[Limit], field: list[str]) -> dict[str, Limit]:
    """Limits as given, by currency: ISO codes, each once, amounts ≥ 0 at the currency's
    precision; ValidationFailed otherwise."""
    found: dict[str, Limit] = {}
    for i, limit in enumerate(limits):
        at = [*field, str(i)]
        currency = limit.currency.strip().upper()
        if not CURRENCY.fullmatch(currency):
            raise ValidationFailed(
                f"{limit.currency!r} is not an ISO 4217 currency code.", field=[*at, "currency"]
            )
        if currency in found:
            raise ValidationFailed(
                f"{currency} is given twice; give one limit per currency.",
                field=[*at, "currency"],
            )
        for name, amount in (("perAction", limit.per_action), ("perDay", limit.per_day)):
            if amount is None:
                continue
            if not amount.is_finite() or amount < 0 or amount >= MAX_LIMIT:
                raise ValidationFailed(
                    "A limit is an amount from 0 (every appeasement needs approval) upwards.",
                    field=[*at, name],
                )
            if not has_currency_precision(amount, currency):
                raise ValidationFailed(
                    f"{currency} amounts have at most {minor_units(currency)} decimals.",
                    field=[*at, name],
                )
        found[currency] = Limit(currency, limit.per_action, limit.per_day)
    return found


def _within(granted: Decimal | None, own: Decimal | None) -> bool:
    return own is None or (granted is not None and granted <= own)


def check_limit_grant(
    own: Mapping[str, Limit], wanted: Mapping[str, Limit], field: list[str]
) -> None:
    """NotAllowed when a limit exceeds the manager's own in a currency where they have one
    (a missing limit is unlimited: above any)."""
    for currency, mine in own.items():
        theirs = wanted.get(currency, Limit(currency, None, None))
        if not (
            _within(theirs.per_action, mine.per_action) and _within(theirs.per_day, mine.per_day)
        ):
            raise NotAllowed(
                f"You cannot grant {currency} appeasement limits above your own role's "
                f"({_figure(mine.per_action, currency)} per appeasement, "
                f"{_figure(mine.per_day, currency)} per day).",
                field=field,
            )


def _figure(amount: Decimal | None, currency: str) -> str:
    return "no limit" if amount is None else str(Money.of(amount, currency))


def set_limits(
    viewer: Viewer, role: Role, limits: Sequence[Limit], *, own: bool, field: list[str]
) -> bool:
    """Replace the role's limits with ``limits`` (the complete set) within the viewer's
    bounds; True when they changed."""
    wanted = check_limits(limits, field)
    current = {x.currency: x for x in role_limits(role)}
    if _normal(wanted) == _normal(current):
        return False
    if own:
        raise NotAllowed("You cannot change the limits of your own role.", field=field)
    check_limit_grant(viewer_limits(viewer), wanted, field)
    role.appeasement_limits = {
        c: {
            "perAction": None if x.per_action is None else str(x.per_action),
            "perDay": None if x.per_day is None else str(x.per_day),
        }
        for c, x in sorted(wanted.items())
        if x.per_action is not None or x.per_day is not None
    } or None
    return True


def _normal(limits: Mapping[str, Limit]) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Limits compared by value: unlimited entries dropped, amounts normalised."""

    def norm(d: Decimal | None) -> Decimal | None:
        return None if d is None else Decimal(d).normalize()

    return {
        c: (norm(x.per_action), norm(x.per_day))
        for c, x in limits.items()
        if x.per_action is not None or x.per_day is not None
    }
