"""``csdesk serve``: run the API with uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from core.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the GraphQL API",
        description="Serve /graphql, /health/live, /health/ready and /metrics with uvicorn on "
        "the database of CSDESK_DATABASE_URL. Logs: CSDESK_LOG_FORMAT (json or console), "
        "CSDESK_LOG_LEVEL. With --workers N the workers share their metrics through "
        "PROMETHEUS_MULTIPROC_DIR (a new temporary directory unless set).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    p.set_defaults(func=run)


def metrics_directory(workers: int) -> str | None:
    """With several workers, prometheus-client's multiprocess mode: an empty directory they
    all write their counters to, set before uvicorn starts them (they inherit it). An
    operator's PROMETHEUS_MULTIPROC_DIR is used as given (emptied first: counters left by a
    previous run would be added to this one's)."""
    from csdesk.metrics import MULTIPROC_ENV

    chosen = os.environ.get(MULTIPROC_ENV)
    if workers <= 1 and not chosen:
        return None
    if chosen:
        path = Path(chosen)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
    else:
        path = Path(tempfile.mkdtemp(prefix="csdesk-metrics-"))
        atexit.register(shutil.rmtree, path, True)  # after uvicorn has stopped its workers
    os.environ[MULTIPROC_ENV] = str(path)
    return str(path)


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

    from core.logs import configure_logging
    from csdesk.commands.preflight import database_url

    database_url()  # refuse to start on a database that is missing or not migrated
    settings = Settings.from_env()
    configure_logging(json_lines=settings.logs_as_json, level=settings.log_level)
    metrics_directory(args.workers)
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
        # csdesk's logging (core/logs.py) formats uvicorn's lines too; its request lines
        # replace uvicorn's access log.
        log_config=None,
        access_log=False,
        # Subscription messages are small (a document of 5,000 tokens is far below this);
        # WebSocket pings every 20 s (uvicorn's default) notice dead peers.
        ws_max_size=256 * 1024,
        log_level="info",
        # csdesk reads X-Forwarded-For itself, from CSDESK_TRUSTED_PROXIES only.
        proxy_headers=False,
    )
    return 0
