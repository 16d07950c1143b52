"""Reading ``csdesk import events`` files: each line a warehouse event (a "type" and the
fields of that integration mutation's input), checked and turned into its idempotency digest
request and its work, through the very functions the mutations call."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

TYPES = (
    "warehouseOrderReleased",
    "warehouseLinesShipped",
    "warehouseLinesDelivered",
    "warehouseReturnReceived",
)
FIELDS = {
    "warehouseOrderReleased": {"orderNumber"},
    "warehouseLinesShipped": {
        "orderNumber", "lineNumbers", "carrier", "trackingNumber", "trackingUrl", "shippedAt",
    },
    "warehouseLinesDelivered": {"orderNumber", "lineNumbers", "deliveredAt"},
    "warehouseReturnReceived": {
        "orderNumber", "lineNumbers", "source", "receivedAt", "dispositions",
    },
}  # fmt: skip
OPTIONAL = {"trackingUrl", "dispositions"}


class Refused(Exception):
    """A record that is not a usable event: (code, message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def read_json(raw: bytes, number: int) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused("INVALID_JSON", f"not a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise Refused("INVALID_JSON", "expected a JSON object")
    return value


def read_record(value: dict[str, Any]) -> dict[str, Any]:
    """The event, its fields checked against its type."""
    kind = value.get("type")
    if kind not in TYPES:
        raise Refused("INVALID", f"type is one of {', '.join(TYPES)}")
    event_id = value.get("eventId")
    if not isinstance(event_id, str) or not event_id.strip():
        raise Refused("INVALID", "eventId is a non-empty string")
    allowed = FIELDS[kind] | {"type", "eventId"}
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise Refused("INVALID", f"unknown field(s) for {kind}: {', '.join(unknown)}")
    missing = sorted(FIELDS[kind] - OPTIONAL - set(value))
    if missing:
        raise Refused("INVALID", f"missing field(s): {', '.join(missing)}")
    return value


def _text(record: dict[str, Any], key: str, optional: bool = False) -> Any:
    value = record.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise Refused("INVALID", f"{key} is a string")
    return value


def _numbers(record: dict[str, Any]) -> list[int]:
    value = record.get("lineNumbers")
    if not isinstance(value, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in value
    ):
        raise Refused("INVALID", "lineNumbers is a list of integers")
    return value


def _instant(record: dict[str, Any], key: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(_text(record, key))
    except ValueError:
        raise Refused("INVALID", f"{key} is an ISO 8601 date and time") from None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


Work = Callable[[Any], Awaitable[dict[str, Any]]]


def prepare(record: dict[str, Any], reporter: Any, viewer: Any) -> tuple[dict[str, Any], Work]:
    """The event's digest request and its work, through the code of its mutation."""
    from models.enums import Disposition
    from resolvers import fulfilment, warehouse, warehouse_events

    kind, event_id = record["type"], record["eventId"]
    number = _text(record, "orderNumber")
    if kind == "warehouseOrderReleased":
        request = warehouse_events.released_request(number)

        async def released(session: Any) -> dict[str, Any]:
            outcome = await fulfilment.release_order(
                session, reporter, event_id=event_id, order_number=number
            )
            return {"orderId": outcome.order_id}

        return request, released
    lines = _numbers(record)
    if kind == "warehouseLinesShipped":
        carrier, tracking = _text(record, "carrier"), _text(record, "trackingNumber")
        url, at = _text(record, "trackingUrl", optional=True), _instant(record, "shippedAt")
        request = warehouse_events.shipped_request(number, lines, carrier, tracking, url, at)

        async def shipped(session: Any) -> dict[str, Any]:
            outcome, shipment_id = await fulfilment.ship_lines(
                session, reporter, event_id=event_id, order_number=number, numbers=lines,
                carrier=carrier, tracking_number=tracking, tracking_url=url, shipped_at=at,
            )  # fmt: skip
            return {"orderId": outcome.order_id, "shipmentId": shipment_id}

        return request, shipped
    if kind == "warehouseLinesDelivered":
        at = _instant(record, "deliveredAt")
        request = warehouse_events.delivered_request(number, lines, at)

        async def delivered(session: Any) -> dict[str, Any]:
            outcome = await fulfilment.deliver_lines(
                session, reporter, event_id=event_id, order_number=number, numbers=lines,
                delivered_at=at,
            )  # fmt: skip
            return {"orderId": outcome.order_id}

        return request, delivered
    source, at = _text(record, "source"), _instant(record, "receivedAt")
    dispositions: dict[int, Disposition] = {}
    for item in record.get("dispositions") or []:
        try:
            dispositions[int(item["lineNumber"])] = Disposition(item["disposition"])
        except (TypeError, KeyError, ValueError):
            raise Refused(
                "INVALID", "dispositions are [{lineNumber, disposition: RESTOCK | DAMAGED}]"
            ) from None
    request = warehouse.received_request(number, lines, source, at, dispositions)

    async def received(session: Any) -> dict[str, Any]:
        outcome = await warehouse.return_received(
            session, viewer, order_number=number, line_numbers=lines, source_code=source,
            received_at=at, dispositions=dispositions,
        )  # fmt: skip
        return {"orderId": outcome.order_id, "actionId": outcome.action_id}

    return request, received
