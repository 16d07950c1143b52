"""``csdesk purge [--dry-run]``: delete expired idempotency records, dead sessions and old
login attempts (rules in resolvers/purge.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from core.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "purge",
        help="delete expired idempotency records, sessions and login attempts",
        description="Delete, in batches of short transactions: idempotency records older "
        "than CSDESK_IDEMPOTENCY_RETENTION_DAYS (7), sessions revoked or idle past "
        "CSDESK_SESSION_IDLE_HOURS (12), login attempts older than "
        "CSDESK_LOGIN_ATTEMPT_RETENTION_DAYS (30). Integration event ids are kept. "
        "`csdesk worker` runs the same purge every CSDESK_PURGE_INTERVAL_MINUTES (60); this "
        "command is for a cron job or a one-off clean-up.",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
    )
    p.add_argument("--batch", type=int, default=1000, help="rows per transaction (default 1000)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.db import Database
    from csdesk.commands.preflight import CommandError, database_url
    from resolvers.purge import purge

    if args.batch < 1:
        raise CommandError("--batch must be at least 1")
    database_url()
    settings = Settings.from_env()

    def progress(target: str, deleted: int) -> None:
        print(f"csdesk purge: {target}: {deleted:,} deleted so far", file=sys.stderr, flush=True)

    async def main() -> int:
        db = Database.connect(settings.database_url)
        try:
            report = await purge(
                db, settings, batch=args.batch, dry_run=args.dry_run, progress=progress
            )
        finally:
            await db.dispose()
        print(f"csdesk purge: {report.summary()}", flush=True)
        return 0

    return asyncio.run(main())
