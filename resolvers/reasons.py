"""The configured reason lists of appeasements and returns (table ``reason``, seeded defaults)."""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Reason
from models.enums import ActionKind
from resolvers.errors import ReasonUnknown


class ReasonKind(enum.StrEnum):
    """The actions that ask for a reason."""

    APPEASEMENT = "APPEASEMENT"
    RETURN = "RETURN"


async def reasons(session: AsyncSession, kind: ReasonKind) -> list[Reason]:
    """The active reasons of ``kind``, in their configured order."""
    rows = await session.scalars(
        select(Reason)
        .where(Reason.kind == ActionKind(kind.value), Reason.active.is_(True))
        .order_by(Reason.position, Reason.id)
    )
    return list(rows)


def pick(allowed: list[Reason], code: str, field: list[str]) -> Reason:
    """The reason of ``allowed`` with this code (case and blanks ignored); ReasonUnknown else."""
    wanted = code.strip().upper()
    for reason in allowed:
        if reason.code == wanted:
            return reason
    raise ReasonUnknown(
        f"{code!r} is not a reason of the configured list.",
        field=field,
        allowed_reasons=[r.code for r in allowed],
    )
