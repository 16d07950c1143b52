"""Reshipments: lost or damaged items sent again, free of charge, on a new order
``<number>-R<n>``, optionally by another shipping method to another address, with an optional
reason from the configured reshipment list (lost in transit, damaged, wrong item, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Order, PostsalesActionLine, Sku
from models.enums import ActionKind, ActionStatus, HistoryKind, OrderType
from resolvers.actions.common import check_comment, lock_order, open_action
from resolvers.actions.derived import (
    NewLine,
    announce,
    create_order,
    distinct_lines,
    not_eligible,
    numbers_text,
    order_lines,
    reserve_all,
)
from resolvers.eligibility import reshippable
from resolvers.errors import ValidationFailed
from resolvers.idempotency import Outcome
from resolvers.journal import add_history
from resolvers.reasons import ReasonKind, pick, reasons

MAX_COMMENT = 1000
MAX_METHOD = 64
# Column sizes of the order's shipping address; None: optional.
LIMITS = {
    "name": 200,
    "line1": 200,
    "line2": 200,
    "city": 120,
    "region": 120,
    "postal_code": 20,
    "country": 2,
    "phone": 40,
}
REQUIRED = ("name", "line1", "city", "postal_code", "country")


@dataclass(frozen=True)
class AddressRequest:
    """A shipping address as typed by the agent: required fields present, nothing more is
    checked (it is not validated against a carrier)."""

    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None
    region: str | None = None
    phone: str | None = None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def check_address(address: AddressRequest) -> dict[str, Any]:
    """The address as shipping_* order columns, trimmed; ValidationFailed (with the field's
    path) when a required field is blank, a field too long, or the country not 2 letters."""
    columns: dict[str, Any] = {}
    for f in fields(address):
        raw = getattr(address, f.name)
        value = raw.strip() if isinstance(raw, str) else None
        path = ["input", "shippingAddress", _camel(f.name)]
        if not value:
            if f.name in REQUIRED:
                raise ValidationFailed(f"The address needs a {_camel(f.name)}.", field=path)
            value = None
        elif len(value) > LIMITS[f.name]:
            raise ValidationFailed(
                f"{_camel(f.name)} has at most {LIMITS[f.name]} characters.", field=path
            )
        if f.name == "country" and value is not None:
            if not (value.isascii() and value.isalpha() and len(value) == 2):
                raise ValidationFailed(
                    "country is a two-letter ISO 3166-1 code, e.g. GB.", field=path
                )
            value = value.upper()
        columns[f"shipping_{f.name}"] = value
    return columns


def check_method(method: str | None) -> str | None:
    if method is None:
        return None
    value = method.strip()
    if not value or len(value) > MAX_METHOD:
        raise ValidationFailed(
            f"shippingMethod has 1–{MAX_METHOD} characters.", field=["input", "shippingMethod"]
        )
    return value


async def create_reshipment(
    session: AsyncSession,
    viewer: Viewer,
    *,
    order_id: int,
    line_ids: Sequence[int],
    shipping_method: str | None = None,
    shipping_address: AddressRequest | None = None,
    comment: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Create the reshipment order for shipped or delivered lines and reserve its stock."""
    paths = [["input", "lineIds", str(i)] for i in range(len(line_ids))]
    ids = distinct_lines(line_ids, ["input", "lineIds"])
    overrides: dict[str, Any] = {}
    method = check_method(shipping_method)
    if method is not None:
        overrides["shipping_method"] = method
    if shipping_address is not None:
        overrides.update(check_address(shipping_address))
    text = check_comment(comment, required=False, limit=MAX_COMMENT, field=["input", "comment"])
    why = None
    if reason is not None and reason.strip():
        why = pick(await reasons(session, ReasonKind.RESHIPMENT), reason, ["input", "reason"])
    order = await lock_order(session, viewer, order_id, expected_version, ["input", "orderId"])
    lines = await order_lines(session, order, ids, paths)
    for line, path in zip(lines, paths, strict=True):
        if not reshippable(line):
            raise not_eligible(line, path, "cannot be reshipped: it is not shipped or delivered")
    sku_rows = await session.scalars(select(Sku).where(Sku.id.in_({x.sku_id for x in lines})))
    skus = {s.id: s for s in sku_rows}
    new_lines = [
        NewLine(origin=line, sku=skus[line.sku_id], field=path)
        for line, path in zip(lines, paths, strict=True)
    ]
    await reserve_all(session, order, new_lines)

    new_order = await create_order(
        session, viewer, order, OrderType.RESHIPMENT, new_lines, overrides=overrides
    )
    action = await open_action(
        session,
        viewer,
        order,
        ActionKind.RESHIPMENT,
        ActionStatus.COMPLETED,
        comment=text,
        reason_code=why.code if why else None,
        resulting_order_id=new_order.id,
    )
    for line in lines:
        session.add(PostsalesActionLine(action_id=action.id, line_id=line.id))
    add_history(
        session,
        order.id,
        HistoryKind.RESHIPMENT,
        f"Reshipment {new_order.number} created by {viewer.display_name} for "
        f"{numbers_text(lines)}{_changes(order, new_order)}" + (f": {why.label}" if why else ""),
        viewer=viewer,
        details={
            "actionId": action.id,
            "reason": why.code if why else None,
            "order": new_order.number,
            "lines": [line.number for line in lines],
            "shippingMethod": new_order.shipping_method,
            "addressChanged": shipping_address is not None,
            "comment": text,
        },
        related_order_id=new_order.id,
    )
    announce(session, new_order, order, new_lines)
    await session.flush()
    return Outcome(order_id=order.id, action_id=action.id, new_order_id=new_order.id)


def _changes(origin: Order, new: Order) -> str:
    """What the agent changed, for the history: method and address (not validated)."""
    notes = []
    if new.shipping_method != origin.shipping_method:
        notes.append(f"shipping method {new.shipping_method}")
    address = [new.shipping_line1, new.shipping_city, new.shipping_postal_code]
    before = [origin.shipping_line1, origin.shipping_city, origin.shipping_postal_code]
    if address != before or new.shipping_name != origin.shipping_name:
        notes.append(f"ship to {new.shipping_name}, {', '.join(address)}, {new.shipping_country}")
    return f" ({'; '.join(notes)})" if notes else ""
