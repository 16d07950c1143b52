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
    p.add_argument(
        "--trusted-documents",
        metavar="FILE",
        help="also write the manifest of the contract operations' SHA-256 hashes to FILE "
        "(frontend-contract/trusted-documents.json, for CSDESK_TRUSTED_DOCUMENTS)",
    )
    p.set_defaults(func=run)


def sdl() -> str:
    from schema.schema import export_sdl

    return export_sdl()


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        from csdesk.commands.preflight import CommandError

        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from exc


def run(args: argparse.Namespace) -> int:
    text = sdl()
    if args.output:
        _write(args.output, text)
    else:
        print(text, end="")
    if args.trusted_documents:
        from schema.exposure import manifest_text

        _write(args.trusted_documents, manifest_text())
    return 0
