"""``csdesk worker [--once]``: deliver the outbox."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from core.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "worker",
        help="deliver the outbox (emails, payment and warehouse webhooks)",
        description="Deliver queued messages at least once, one lane per destination, with "
        "retries and exponential backoff; a delivery may take half of "
        "CSDESK_OUTBOX_LEASE_SECONDS; messages that keep failing become DEAD (see the "
        "outboxMessages query). Several workers may run at once on PostgreSQL (each re-checks "
        "its lease before a delivery); one is enough on SQLite. Receivers: "
        "CSDESK_SMTP_URL, CSDESK_PAYMENT_WEBHOOK_URL, CSDESK_WAREHOUSE_WEBHOOK_URL (unset: "
        "written to CSDESK_MAIL_DIR / CSDESK_SPOOL_DIR). Without --once it also runs the purge "
        "(`csdesk purge`) "
        "every CSDESK_PURGE_INTERVAL_MINUTES (60; 0: never).",
    )
    p.add_argument("--once", action="store_true", help="drain what is due now, then exit")
    p.add_argument(
        "--poll", type=float, default=1.0, help="seconds between polls when idle (default 1)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.db import Database
    from core.logs import configure_logging
    from csdesk.commands.preflight import database_url
    from worker.runner import run_forever, run_once

    database_url()
    settings = Settings.from_env()
    configure_logging(json_lines=settings.logs_as_json, level=settings.log_level)

    async def main() -> int:
        db = Database.connect(settings.database_url)
        try:
            if args.once:
                report = await run_once(db, settings)
                for failure in report.errors:
                    print(
                        f"csdesk worker: message {failure.message_id} ({failure.destination} "
                        f"{failure.topic}) {failure.outcome.value}: {failure.error}",
                        file=sys.stderr,
                    )
                print(f"csdesk worker: {report.summary()}", file=sys.stderr)
                return 0
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            print("csdesk worker: delivering the outbox (Ctrl+C to stop)", file=sys.stderr)
            await run_forever(db, settings, poll_seconds=args.poll, stop=stop)
            print("csdesk worker: stopped", file=sys.stderr)
            return 0
        finally:
            await db.dispose()

    return asyncio.run(main())
