"""The structured details of a history entry, read into typed facts.

Every writer stores its details as a small JSON object next to the message
(``resolvers.journal.add_history``). Writers of different ages name the same fact a little
differently ("line": 3 or "lines": [3], "amount" or "net", "tracking" as an object or a
bare number), so this is the one place that knows the spellings and gives the GraphQL edge
one shape: lines, amounts, refunds, tracking, status change, field changes, dispositions,
comment kind and ticket reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class Tracking:
    carrier: str | None
    tracking_number: str
    tracking_url: str | None


@dataclass(frozen=True)
class FieldChange:
    """One field an edit changed, e.g. the shipping postal code: old → new."""

    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class LineDisposition:
    line_number: int
    disposition: str


@dataclass(frozen=True)
class Details:
    line_numbers: list[int] = field(default_factory=list)
    action_id: int | None = None
    refund_ids: list[int] = field(default_factory=list)
    net: Decimal | None = None
    tax: Decimal | None = None
    gross: Decimal | None = None
    currency: str | None = None
    reason: str | None = None
    failure_reason: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    tracking: Tracking | None = None
    changes: list[FieldChange] = field(default_factory=list)
    dispositions: list[LineDisposition] = field(default_factory=list)
    comment_kind: str | None = None
    ticket_reference: str | None = None
    event_id: str | None = None
    follow_up_id: int | None = None
    # Appeasements above a limit: the limit gone over; approvals: APPROVED or REJECTED, why.
    approval_reason: str | None = None
    decision: str | None = None
    decision_comment: str | None = None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _ints(value: Any) -> list[int]:
    items = value if isinstance(value, list) else [value]
    return [n for n in map(_int, items) if n is not None]


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _tracking(d: Mapping[str, Any]) -> Tracking | None:
    value = d.get("tracking")
    if isinstance(value, Mapping):
        number = _str(value.get("trackingNumber"))
        if number is None:
            return None
        return Tracking(_str(value.get("carrier")), number, _str(value.get("trackingUrl")))
    if isinstance(value, str) and value:  # the demo seed: "tracking": "DH0123456789"
        return Tracking(_str(d.get("carrier")), value, None)
    return None


def _lines(d: Mapping[str, Any]) -> list[int]:
    for key in ("lines", "line"):
        if key in d:
            return _ints(d[key])
    refunds = d.get("refunds")
    if isinstance(refunds, list):
        return sorted({n for r in refunds if isinstance(r, Mapping) for n in _ints(r.get("line"))})
    return []


def _refund_ids(d: Mapping[str, Any]) -> list[int]:
    ids = _ints(d.get("refundId")) + _ints(d.get("refundIds") or [])
    refunds = d.get("refunds")
    if isinstance(refunds, list):
        ids += [n for r in refunds if isinstance(r, Mapping) for n in _ints(r.get("refundId"))]
    return list(dict.fromkeys(ids))


def _changes(d: Mapping[str, Any]) -> list[FieldChange]:
    found = []
    for item in d.get("changes") or []:
        if isinstance(item, Mapping) and _str(item.get("field")):
            old, new = item.get("old"), item.get("new")
            found.append(
                FieldChange(
                    str(item["field"]),
                    None if old is None else str(old),
                    None if new is None else str(new),
                )
            )
    return found


def _dispositions(d: Mapping[str, Any]) -> list[LineDisposition]:
    value = d.get("dispositions")
    if not isinstance(value, Mapping):
        return []
    found = [
        LineDisposition(n, str(v))
        for k, v in value.items()
        if (n := _int(k)) is not None and isinstance(v, str)
    ]
    return sorted(found, key=lambda x: x.line_number)


def read(details: Mapping[str, Any] | None) -> Details:
    """The typed facts of a history entry's details (missing ones empty)."""
    d = details or {}
    net = next(
        (v for k in ("net", "amount", "voided") if (v := _decimal(d.get(k))) is not None),
        None,
    )
    return Details(
        line_numbers=_lines(d),
        action_id=_int(d.get("actionId")),
        refund_ids=_refund_ids(d),
        net=net,
        tax=_decimal(d.get("tax")),
        gross=_decimal(d.get("gross")),
        currency=_str(d.get("currency")),
        reason=_str(d.get("reason")),
        failure_reason=_str(d.get("failureReason")),
        from_status=_str(d.get("from")),
        to_status=_str(d.get("to")),
        tracking=_tracking(d),
        changes=_changes(d),
        dispositions=_dispositions(d),
        comment_kind=_str(d.get("commentKind")),
        ticket_reference=_str(d.get("ticketReference")),
        event_id=_str(d.get("eventId")),
        follow_up_id=_int(d.get("followUpId")),
        approval_reason=_str(d.get("approvalReason")),
        decision=_str(d.get("decision")),
        decision_comment=_str(d.get("comment")) if d.get("decision") else None,
    )
