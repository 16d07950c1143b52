"""``csdesk serve``: run the API with uvicorn."""

from __future__ import annotations

import argparse
import asyncio
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


async def _refuse_unfit(settings: Settings) -> None:
    from core.db import Database
    from csdesk.production import refuse_unfit

    db = Database.connect(settings.database_url)
    try:
        await refuse_unfit(settings, db)
    finally:
        await db.dispose()


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from csdesk.commands.preflight import database_url

    database_url()  # refuse to start on a database that is missing or not migrated
    settings = Settings.from_env()
    if not settings.development:
        asyncio.run(_refuse_unfit(settings))
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
        # csdesk reads X-Forwarded-For itself, from CSDESK_TRUSTED_PROXIES only.
        proxy_headers=False,
    )
    return 0
