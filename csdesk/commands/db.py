"""``csdesk db upgrade``: apply the schema migrations."""

from __future__ import annotations

import argparse
from typing import Any

from core.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "db",
        help="database schema migrations",
        description="Manage the database schema (Alembic migrations).",
    )
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dbsub.add_parser(
        "upgrade",
        help="migrate the database to the newest schema",
        description="Apply every pending migration to CSDESK_DATABASE_URL and name each one "
        "applied. An SQLite file that does not exist yet is created.",
    )
    up.add_argument("revision", nargs="?", default="head", help="target revision (default head)")
    up.set_defaults(func=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    from alembic.util import CommandError as AlembicError

    from csdesk.commands.preflight import (
        CommandError,
        check_sqlite_file,
        database_heads,
        first_line,
        parse_url,
        shown,
        sqlite_file,
    )
    from csdesk.migrate import revisions_between, upgrade

    raw = Settings.from_env().database_url
    url = parse_url(raw)
    path = sqlite_file(url)
    if path is not None:
        check_sqlite_file(path, create=True)
    before = database_heads(url) if path is None or path.exists() else ()
    print(f"csdesk: migrating {shown(url)} to {args.revision}", flush=True)
    try:
        upgrade(raw, args.revision)
    except AlembicError as exc:
        raise CommandError(f"cannot migrate to {args.revision!r}: {first_line(exc)}") from exc
    after = database_heads(url)
    applied = revisions_between(before, after)
    for revision, description in applied:
        print(f"csdesk: applied {revision} ({description})", flush=True)
    at = ", ".join(after) or "base"
    if applied:
        print(f"csdesk: the database schema is now at {at}", flush=True)
    else:
        print(f"csdesk: the database schema is up to date (at {at}); nothing to apply", flush=True)
    return 0
