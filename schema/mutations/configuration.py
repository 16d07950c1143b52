"""Reasons and sources managed through the API (SETTINGS_MANAGE): ``reasonCreate``,
``reasonUpdate`` (rename, translate, reorder, deactivate) and ``sourceUpdate`` (accepts
returns). The rules are in resolvers.reasons and resolvers.return_sources."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import reasons as configured
from resolvers.errors import ValidationFailed as Invalid
from resolvers.reasons import ReasonKind
from resolvers.return_sources import all_sources, set_accepts_returns
from schema.context import Info
from schema.errors import AlreadyExists, NotFound, ValidationFailed
from schema.order import Source
from schema.postsales_options import Reason


@strawberry.input(description="A reason's label in one language.")
class ReasonLabelInput:
    language: str = strawberry.field(description="Two-letter code, e.g. fr.")
    label: str = strawberry.field(description="1–200 characters; empty removes it (update).")


@strawberry.input
class ReasonCreateInput:
    kind: ReasonKind
    code: str = strawberry.field(
        description="Upper-case letters, digits and underscores, e.g. LOST_IN_TRANSIT; fixed "
        "for good (actions store it)."
    )
    label: str = strawberry.field(description="The default label, 1–200 characters.")
    labels: list[ReasonLabelInput] | None = strawberry.field(
        default=None, description="Labels in other languages."
    )


@strawberry.input(description="Changes to a reason; omitted fields stay as they are.")
class ReasonUpdateInput:
    kind: ReasonKind
    code: str
    label: str | None = strawberry.field(default=None, description="Rename: the default label.")
    labels: list[ReasonLabelInput] | None = strawberry.field(
        default=None, description="Labels to set (or, empty, to remove) per language."
    )
    active: bool | None = strawberry.field(
        default=None, description="false: no longer offered nor accepted (actions keep it)."
    )
    position: int | None = strawberry.field(default=None, description="Order in the list.")


@strawberry.type
class ReasonChanged:
    reason: Reason


@strawberry.input
class SourceUpdateInput:
    code: str
    accepts_returns: bool = strawberry.field(
        description="Whether returns may be sent there (guide: Backoffice sources, "
        '"Accepts Returns?").'
    )


@strawberry.type
class SourceUpdateSuccess:
    source: Source


def _labels(given: list[ReasonLabelInput] | None) -> dict[str, str] | None:
    if given is None:
        return None
    labels = {x.language: x.label for x in given}
    if len(labels) != len(given):
        raise Invalid("labels name a language twice.", field=["input", "labels"])
    return labels


async def reason_create(
    info: Info, input: ReasonCreateInput
) -> Annotated[
    ReasonChanged | AlreadyExists | ValidationFailed, strawberry.union("ReasonCreateResult")
]:
    """Add a reason at the end of its kind's list."""
    labels = _labels(input.labels)
    async with info.context.db.write() as session:
        row = await configured.create_reason(
            session, input.kind, code=input.code, label=input.label, labels=labels
        )
        await session.commit()
    return ReasonChanged(reason=Reason.of(row))


async def reason_update(
    info: Info, input: ReasonUpdateInput
) -> Annotated[ReasonChanged | NotFound | ValidationFailed, strawberry.union("ReasonUpdateResult")]:
    """Rename, translate, move, deactivate or reactivate a reason."""
    labels = _labels(input.labels)
    async with info.context.db.write() as session:
        row = await configured.update_reason(
            session,
            input.kind,
            code=input.code,
            label=input.label,
            labels=labels,
            active=input.active,
            position=input.position,
        )
        await session.commit()
    return ReasonChanged(reason=Reason.of(row))


async def source_update(
    info: Info, input: SourceUpdateInput
) -> Annotated[SourceUpdateSuccess | NotFound, strawberry.union("SourceUpdateResult")]:
    """Turn a source's "accepts returns" capability on or off."""
    async with info.context.db.write() as session:
        row = await set_accepts_returns(session, input.code, input.accepts_returns)
        await session.commit()
    return SourceUpdateSuccess(
        source=Source(code=row.code, name=row.name, accepts_returns=row.accepts_returns)
    )


async def sources(info: Info) -> list[Source]:
    """Every source (warehouse or shop), by code."""
    async with info.context.read() as session:
        rows = await all_sources(session)
    return [Source(code=r.code, name=r.name, accepts_returns=r.accepts_returns) for r in rows]
