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
        description="Apply every pending migration to CSDESK_DATABASE_URL.",
    )
    up.add_argument("revision", nargs="?", default="head", help="target revision (default head)")
    up.set_defaults(func=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    from csdesk.migrate import upgrade

    url = Settings.from_env().database_url
    print(f"csdesk: migrating {_redact(url)} to {args.revision}", flush=True)
    upgrade(url, args.revision)
    print("csdesk: database schema is up to date", flush=True)
    return 0


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
