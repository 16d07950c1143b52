"""``csdesk import events FILE.jsonl``: replay warehouse events (back-fills, or a warehouse that
cannot call the API), one JSON object per line, through exactly the code of the integration
mutations: the same rules, the same idempotency on ``eventId`` (an event handled before, by
the API or an earlier run, is skipped), the same history (actor: the integration user).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import IO, Any

from core.config import Settings

DESCRIPTION = """\
Replay warehouse events from a JSON Lines file: one JSON object per line (UTF-8), each with a
"type" and the fields of the integration mutation of that name, e.g.

  {"type": "warehouseOrderReleased", "eventId": "wh-1", "orderNumber": "100045"}
  {"type": "warehouseLinesShipped", "eventId": "wh-2", "orderNumber": "100045",
   "lineNumbers": [1, 2], "carrier": "DHL", "trackingNumber": "00340434161094042557",
   "trackingUrl": "https://track.example/00340434161094042557",
   "shippedAt": "2026-11-20T16:00:00+01:00"}
  {"type": "warehouseLinesDelivered", "eventId": "wh-3", "orderNumber": "100045",
   "lineNumbers": [1, 2], "deliveredAt": "2026-11-21T11:30:00Z"}
  {"type": "warehouseReturnReceived", "eventId": "wh-4", "orderNumber": "100045",
   "lineNumbers": [2], "source": "BER-WH", "receivedAt": "2026-11-25T09:00:00Z",
   "dispositions": [{"lineNumber": 2, "disposition": "RESTOCK"}]}

Events are applied in file order, each in its own transaction. An eventId handled before (by
the API or an earlier run) with the same content is skipped, so re-running a file is safe;
with other content it is refused. Refused events (out of order, wrong line states, invalid)
are reported with their line number, change nothing, and are noted in the order's history.
Every field is described in docs/integrations.md.

Exit status: 0 when no event was refused, 1 when some were, 2 when the file, the user or the
database could not be used."""

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


def register_kind(kinds: argparse._SubParsersAction[Any]) -> None:
    """``events`` under ``csdesk import``."""
    events = kinds.add_parser(
        "events",
        help="replay warehouse events from a JSON Lines file",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    events.add_argument("file", metavar="FILE.jsonl", help="the file; - reads standard input")
    events.add_argument("--dry-run", action="store_true",
                        help="check every event in file order and write nothing")  # fmt: skip
    events.add_argument(
        "--user",
        default="integration",
        help="the INTEGRATION user the history names (default: integration)",
    )
    events.add_argument("--verbose", "-v", action="store_true",
                        help="also print each event applied")  # fmt: skip
    events.set_defaults(func=run)


class Refused(Exception):
    """A record that is not a usable event: (code, message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Tally:
    applied: int = 0
    skipped: int = 0
    refused: int = 0

    def summary(self, dry_run: bool) -> str:
        text = (
            f"{'valid' if dry_run else 'applied'} {self.applied}, skipped {self.skipped} "
            f"(handled before), refused {self.refused}"
        )
        if self.refused:
            text += "; see the errors above"
        if dry_run:
            text += "; dry run, nothing was written"
        elif not (self.applied or self.skipped or self.refused):
            text += "; the file holds no events"
        return text


def run(args: argparse.Namespace) -> int:
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"csdesk: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_replay(stream, args.file, args.user, args.dry_run, args.verbose))
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _json(raw: bytes, number: int) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused("INVALID_JSON", f"not a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise Refused("INVALID_JSON", "expected a JSON object")
    return value


def _record(value: dict[str, Any]) -> dict[str, Any]:
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


def _prepare(record: dict[str, Any], reporter: Any, viewer: Any) -> tuple[dict[str, Any], Work]:
    """The event's digest request and its work, through the code of its mutation."""
    from models.enums import Disposition
    from resolvers import fulfilment, warehouse

    kind, event_id = record["type"], record["eventId"]
    number = _text(record, "orderNumber")
    if kind == "warehouseOrderReleased":
        request = fulfilment.released_request(number)

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
        request = fulfilment.shipped_request(number, lines, carrier, tracking, url, at)

        async def shipped(session: Any) -> dict[str, Any]:
            outcome, shipment_id = await fulfilment.ship_lines(
                session, reporter, event_id=event_id, order_number=number, numbers=lines,
                carrier=carrier, tracking_number=tracking, tracking_url=url, shipped_at=at,
            )  # fmt: skip
            return {"orderId": outcome.order_id, "shipmentId": shipment_id}

        return request, shipped
    if kind == "warehouseLinesDelivered":
        at = _instant(record, "deliveredAt")
        request = fulfilment.delivered_request(number, lines, at)

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


async def _replay(stream: IO[bytes], name: str, username: str, dry_run: bool, verbose: bool) -> int:
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from auth.sessions import load_viewer
    from core.db import Database
    from models import User
    from models.enums import Permission
    from resolvers import fulfilment

    db = Database.connect(Settings.from_env().database_url)
    try:
        async with db.read() as session:
            user = await session.scalar(select(User).where(User.username == username))
            viewer = await load_viewer(session, user.id) if user is not None else None
    except SQLAlchemyError as exc:
        await db.dispose()
        print(f"csdesk: cannot use the database ({_first_line(exc)}); "
              "is it migrated (csdesk db upgrade)?", file=sys.stderr)  # fmt: skip
        return 2
    if user is None or viewer is None or not user.active or not viewer.has(Permission.INTEGRATION):
        await db.dispose()
        print(f"csdesk: {username!r} is not an active user with the INTEGRATION permission "
              "(--user names one)", file=sys.stderr)  # fmt: skip
        return 2
    reporter = fulfilment.Reporter(viewer=viewer)
    tally, number = Tally(), 0
    try:
        replay = _DryRun(db) if dry_run else _Apply(db, reporter)
        async with replay:
            for number, raw in enumerate(stream, start=1):
                if not raw.strip():
                    continue
                await _one(replay, raw, number, reporter, viewer, tally, verbose, dry_run)
    except OSError as exc:
        print(f"csdesk: cannot read {name} after line {number}: {exc}", file=sys.stderr)
        print(tally.summary(dry_run))
        return 2
    except SQLAlchemyError as exc:
        print(f"csdesk: database error at line {number}: {_first_line(exc)}", file=sys.stderr)
        print(tally.summary(dry_run))
        return 2
    finally:
        await db.dispose()
    print(tally.summary(dry_run))
    return 1 if tally.refused else 0


async def _one(
    replay: _Replay,
    raw: bytes,
    number: int,
    reporter: Any,
    viewer: Any,
    tally: Tally,
    verbose: bool,
    dry_run: bool,
) -> None:
    from resolvers.errors import DomainError

    label = f"line {number}"
    try:
        value = _json(raw, number)
        if isinstance(value.get("eventId"), str) and value["eventId"].strip():
            label += f" ({value['eventId'][:128]})"
        record = _record(value)
        request, work = _prepare(record, reporter, viewer)
        outcome = await replay.event(record, request, work)
    except Refused as exc:
        tally.refused += 1
        print(f"{label}: refused: {exc.code}: {exc}", file=sys.stderr)
    except DomainError as exc:
        tally.refused += 1
        print(f"{label}: refused: {exc.code}: {exc.message}", file=sys.stderr)
    else:
        if outcome == "skipped":
            tally.skipped += 1
            print(f"{label}: skipped: handled before")
        else:
            tally.applied += 1
            if verbose:
                verb = "valid" if dry_run else "applied"
                print(f"{label}: {verb}: {record['type']} of order {record['orderNumber']}")


class _Replay:
    async def __aenter__(self) -> _Replay:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def event(self, record: dict[str, Any], request: dict[str, Any], work: Work) -> str:
        raise NotImplementedError


class _Apply(_Replay):
    """Each event in its own transaction, once per event id (resolvers.idempotency)."""

    def __init__(self, db: Any, reporter: Any) -> None:
        self.db, self.reporter = db, reporter

    async def event(self, record: dict[str, Any], request: dict[str, Any], work: Work) -> str:
        from sqlalchemy import select

        from models import InboundEvent
        from resolvers import fulfilment

        async with self.db.read() as session:
            seen = await session.scalar(
                select(InboundEvent.event_id).where(InboundEvent.event_id == record["eventId"])
            )
        await fulfilment.report(
            self.db,
            self.reporter,
            event_id=record["eventId"],
            event=record["type"],
            order_number=record["orderNumber"],
            request=request,
            handle=work,
        )
        return "skipped" if seen is not None else "applied"


class _DryRun(_Replay):
    """Every event in one transaction that is rolled back at the end, each in a savepoint, so
    that later events see earlier ones (a shipment after its release) and nothing stays."""

    def __init__(self, db: Any) -> None:
        self.db = db

    async def __aenter__(self) -> _DryRun:
        self.session = self.db.write()
        await self.session.begin()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.rollback()
        await self.session.close()

    async def event(self, record: dict[str, Any], request: dict[str, Any], work: Work) -> str:
        from sqlalchemy import select

        from models import InboundEvent
        from resolvers.errors import EventIdReused
        from resolvers.idempotency import check_key, digest

        check_key(record["eventId"], ["eventId"])
        seen = await self.session.scalar(
            select(InboundEvent).where(InboundEvent.event_id == record["eventId"])
        )
        if seen is not None:
            if seen.request_hash != digest(record["type"], request):
                raise EventIdReused(
                    f"Event {record['eventId']!r} was received before with other content."
                )
            return "skipped"
        async with self.session.begin_nested():
            self.session.add(
                InboundEvent(
                    event_id=record["eventId"],
                    kind=record["type"],
                    request_hash=digest(record["type"], request),
                )
            )
            await work(self.session)
        return "valid"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
