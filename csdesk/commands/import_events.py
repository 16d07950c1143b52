"""``csdesk import events FILE.jsonl``: replay warehouse events (back-fills, or a warehouse that
cannot call the API), one JSON object per line, through exactly the code of the integration
mutations: the same rules, the same idempotency on ``eventId`` (an event handled before, by
the API or an earlier run, is skipped), the same history (actor: the integration user).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from typing import IO, Any

from core.config import Settings
from csdesk.commands.events_file import Refused, Work, prepare, read_json, read_record

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
        value = read_json(raw, number)
        if isinstance(value.get("eventId"), str) and value["eventId"].strip():
            label += f" ({value['eventId'][:128]})"
        record = read_record(value)
        request, work = prepare(record, reporter, viewer)
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
        from resolvers import warehouse_events

        async with self.db.read() as session:
            seen = await session.scalar(
                select(InboundEvent.event_id).where(InboundEvent.event_id == record["eventId"])
            )
        await warehouse_events.report(
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
