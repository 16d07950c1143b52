"""The ``csdesk`` command: serve, db upgrade, seed, import, users and tokens, export-schema.

Exit status: 0 done; 1 the command ran but refused some input (a rejected record, a taken
username); 2 a problem with the configuration, the database or a file, printed as one line
naming what is wrong and what to do (``--debug`` adds the traceback); 70 an unexpected error
(a bug: ``--debug`` shows where); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from core.config import ConfigError
from csdesk.commands import COMMANDS

EXIT_PROBLEM = 2
EXIT_BUG = 70
DEBUG_HELP = "on an error, print the traceback too"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csdesk",
        description="csdesk: the GraphQL backend of the customer-service screens. "
        "The database is CSDESK_DATABASE_URL (default sqlite+aiosqlite:///./csdesk.db).",
    )
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in COMMANDS:
        register(sub)
    _accept_debug_everywhere(parser)
    return parser


def _accept_debug_everywhere(parser: argparse.ArgumentParser) -> None:
    """``--debug`` after the command too (``csdesk import orders --debug f``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.add_argument(
                    "--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP
                )
                _accept_debug_everywhere(child)


def describe(exc: BaseException) -> tuple[str, int]:
    """The one line to print for a command that failed with ``exc``, and the exit status."""
    from sqlalchemy.exc import SQLAlchemyError

    from csdesk.commands.preflight import CommandError, first_line

    if isinstance(exc, CommandError):
        return str(exc), EXIT_PROBLEM
    if isinstance(exc, ConfigError):
        return f"configuration error: {exc}", EXIT_PROBLEM
    if isinstance(exc, SQLAlchemyError):
        return f"database error: {first_line(exc)} (--debug shows the details)", EXIT_PROBLEM
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or first_line(exc)}{where}", EXIT_PROBLEM
    return (
        f"unexpected error: {type(exc).__name__}: {first_line(exc)} (this is a bug; run again "
        "with --debug for the traceback)",
        EXIT_BUG,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("csdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        message, status = describe(exc)
        print(f"csdesk: {message}", file=sys.stderr, flush=True)
        return status
    return code


if __name__ == "__main__":
    sys.exit(main())
