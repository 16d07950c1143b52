"""The configured reason lists of post-sales actions (table ``reason``): reading and picking
them, and managing them (list, create, rename, translate, reorder, deactivate).

A reason has a code (what mutations take and actions store: unique per kind, upper case), a
default label, labels per language (``{"de": "Zu klein"}``), a position and an active flag.
Deactivated reasons are no longer offered nor accepted; actions that used them keep their
code. Codes never change (a rename changes labels), so that stored actions keep meaning.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Reason
from models.enums import ActionKind
from resolvers.errors import AlreadyExists, NotFound, ReasonUnknown, ValidationFailed

MAX_CODE = 64
MAX_LABEL = 200
CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
LANGUAGE = re.compile(r"^[a-z]{2}$")


class ReasonKind(enum.StrEnum):
    """The actions that ask for a reason."""

    APPEASEMENT = "APPEASEMENT"
    RETURN = "RETURN"
    CANCELLATION = "CANCELLATION"
    RESHIPMENT = "RESHIPMENT"


# Built once (every action with a reason reads its list): every reason of a kind, or the active.
_EVERY = select(Reason).where(Reason.kind == bindparam("kind")).order_by(Reason.position, Reason.id)
_ACTIVE = _EVERY.where(Reason.active.is_(True))


async def reasons(
    session: AsyncSession, kind: ReasonKind, *, include_inactive: bool = False
) -> list[Reason]:
    """The reasons of ``kind`` (active ones only, unless asked), in their configured order."""
    stmt = _EVERY if include_inactive else _ACTIVE
    return list(await session.scalars(stmt, {"kind": ActionKind(kind.value)}))


def label_in(reason: Reason, language: str | None) -> str:
    """The reason's label in ``language`` ("de", "fr"), else its default label."""
    if language:
        found = (reason.labels or {}).get(language.lower()[:2])
        if isinstance(found, str) and found:
            return found
    return reason.label


def pick(allowed: list[Reason], code: str | None, field: list[str]) -> Reason:
    """The reason of ``allowed`` with this code (case and blanks ignored); ReasonUnknown else,
    also when no code is given (a required reason)."""
    wanted = (code or "").strip().upper()
    for reason in allowed:
        if reason.code == wanted:
            return reason
    codes = [r.code for r in allowed]
    raise ReasonUnknown(
        f"{code!r} is not a reason of the configured list."
        if wanted
        else f"Choose a reason: {', '.join(codes) or 'none is configured yet'}.",
        field=field,
        allowed_reasons=codes,
    )


def _label(value: str, field: list[str]) -> str:
    text = value.strip()
    if not text or len(text) > MAX_LABEL:
        raise ValidationFailed(f"A label has 1–{MAX_LABEL} characters.", field=field)
    return text


def _labels(labels: Mapping[str, str], field: list[str]) -> dict[str, str]:
    checked = {}
    for language, label in labels.items():
        code = language.strip().lower()
        if not LANGUAGE.match(code):
            raise ValidationFailed(
                f"{language!r} is not a two-letter language code (e.g. de, fr).", field=field
            )
        checked[code] = _label(label, field)
    return checked


async def _find(session: AsyncSession, kind: ReasonKind, code: str) -> Reason:
    found = await session.scalar(
        select(Reason).where(
            Reason.kind == ActionKind(kind.value), Reason.code == code.strip().upper()
        )
    )
    if found is None:
        raise NotFound(f"No {kind.value.lower()} reason {code!r}.", field=["input", "code"])
    return found


async def create_reason(
    session: AsyncSession,
    kind: ReasonKind,
    *,
    code: str,
    label: str,
    labels: Mapping[str, str] | None = None,
) -> Reason:
    """A new active reason at the end of its list."""
    wanted = code.strip().upper()
    if not CODE.match(wanted) or len(wanted) > MAX_CODE:
        raise ValidationFailed(
            f"A code has 1–{MAX_CODE} letters, digits and underscores, starting with a letter.",
            field=["input", "code"],
        )
    taken = await session.scalar(
        select(Reason.id).where(Reason.kind == ActionKind(kind.value), Reason.code == wanted)
    )
    if taken is not None:
        raise AlreadyExists(
            f"The {kind.value.lower()} reason {wanted} exists (deactivated ones too: update it).",
            field=["input", "code"],
        )
    last = await session.scalar(
        select(func.max(Reason.position)).where(Reason.kind == ActionKind(kind.value))
    )
    reason = Reason(
        kind=ActionKind(kind.value),
        code=wanted,
        label=_label(label, ["input", "label"]),
        labels=_labels(labels or {}, ["input", "labels"]),
        position=(last or 0) + 1,
        active=True,
    )
    session.add(reason)
    await session.flush()
    return reason


async def update_reason(
    session: AsyncSession,
    kind: ReasonKind,
    *,
    code: str,
    label: str | None = None,
    labels: Mapping[str, str] | None = None,
    active: bool | None = None,
    position: int | None = None,
) -> Reason:
    """Rename (default label), translate (``labels`` replace the language labels given; an
    empty label removes one), move or (de)activate a reason; None leaves a field as it is."""
    reason = await _find(session, kind, code)
    if label is not None:
        reason.label = _label(label, ["input", "label"])
    if labels is not None:
        merged = dict(reason.labels or {})
        for language, text in labels.items():
            if not text.strip():
                merged.pop(language.strip().lower(), None)
            else:
                merged.update(_labels({language: text}, ["input", "labels"]))
        reason.labels = merged
    if active is not None:
        reason.active = active
    if position is not None:
        if not 0 <= position <= 10_000:
            raise ValidationFailed("position is 0 to 10,000.", field=["input", "position"])
        reason.position = position
    await session.flush()
    return reason
