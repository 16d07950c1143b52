"""``csdesk serve``: run the API with uvicorn."""

from __future__ import annotations

import argparse
from typing import Any

from core.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the GraphQL API",
        description="Serve /graphql and "
        "/health with uvicorn on the database of CSDESK_DATABASE_URL.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from csdesk.commands.preflight import database_url

    database_url()  # refuse to start on a database that is missing or not migrated
    settings = Settings.from_env()
    print(
        f"csdesk: serving http://{args.host}:{args.port}/graphql "
        f"({settings.environment}, {settings.database_url.split('://')[0]})",
        flush=True,
    )
    uvicorn.run(
        "csdesk.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        proxy_headers=True,
        # Subscription messages are small (a document of 5,000 tokens is far below this);
        # WebSocket pings every 20 s (uvicorn's default) notice dead peers.
        ws_max_size=256 * 1024,
    )
    return 0
