"""The ``csdesk`` command: serve, db upgrade, seed, import, users and tokens, export-schema."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from core.config import ConfigError
from csdesk.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csdesk",
        description="csdesk: the GraphQL backend of the customer-service screens. "
        "The database is CSDESK_DATABASE_URL (default sqlite+aiosqlite:///./csdesk.db).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except ConfigError as exc:
        print(f"csdesk: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("csdesk: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
