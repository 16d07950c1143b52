"""Health endpoints for load balancers and orchestrators.

- ``/health/live``: the process is up and answering (no database access): restart it when
  this fails.
- ``/health/ready``: the database answers *and* carries this release's schema (its Alembic
  revision is the newest this release knows); 503 with the reason otherwise: send it no
  traffic until it passes (e.g. while ``csdesk db upgrade`` has not run yet).
- ``/health``: the same answer as ``/health/ready`` (it used to check only that the database
  answered, and so called an empty database healthy).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.db import Database
from csdesk.migrate import current_heads

log = logging.getLogger("csdesk.health")

CHECK_TIMEOUT_SECONDS = 5.0


async def readiness(db: Database) -> tuple[bool, dict[str, object]]:
    """Whether the app can serve requests, and the facts that say why."""
    engine = db.engine.dialect.name
    expected = sorted(current_heads())
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            try:
                rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
                heads = sorted(str(row[0]) for row in rows)
            except Exception:  # no alembic_version table: nothing was migrated
                heads = []
    except Exception as exc:  # unreachable, refused, timed out: say so, don't crash
        log.warning("readiness: database unreachable: %s", type(exc).__name__)
        return False, {
            "status": "unavailable",
            "database": "unreachable",
            "reason": "the database does not answer",
        }
    if heads != expected:
        reason = (
            "the database has no csdesk schema: run `csdesk db upgrade`"
            if not heads
            else f"the database is at revision {', '.join(heads)}, this release needs "
            f"{', '.join(expected)}: run `csdesk db upgrade`"
        )
        return False, {
            "status": "unavailable",
            "database": "not_migrated",
            "revision": heads,
            "expected": expected,
            "reason": reason,
        }
    return True, {"status": "ok", "database": engine, "revision": expected}


def routes(db: Database) -> list[Route]:
    async def live(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        ok, body = await readiness(db)
        return JSONResponse(body, 200 if ok else 503)

    return [
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
        Route("/health", ready, methods=["GET"]),
    ]
