"""``csdesk export-schema``: print the GraphQL schema (SDL), sorted and stable."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "export-schema",
        help="print the GraphQL schema (SDL)",
        description="Print the schema as SDL; frontend-contract/schema.graphql is this output.",
    )
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.set_defaults(func=run)


def sdl() -> str:
    from schema.schema import export_sdl

    return export_sdl()


def run(args: argparse.Namespace) -> int:
    text = sdl()
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            from csdesk.commands.preflight import CommandError

            raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    else:
        print(text, end="")
    return 0
