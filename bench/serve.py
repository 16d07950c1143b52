"""One benchmarked server: csdesk (in production mode) or the raw baseline, under uvicorn on
127.0.0.1, one process, each response carrying ``x-bench-statements``.

    python -m bench.serve csdesk --database-url URL --port 8101
    python -m bench.serve raw --database-url URL --port 8102

The harness (``python -m bench``) starts and stops these itself."""

from __future__ import annotations

import argparse
import contextvars
import sys
from typing import Any

from bench.raw.app import STATEMENTS_HEADER, RawApp

_count: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "bench_statements", default=None
)
_NOT_STATEMENTS = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")


def _on_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    counter = _count.get()
    if counter is not None and not statement.lstrip()[:8].upper().startswith(_NOT_STATEMENTS):
        counter[0] += 1


class StatementHeader:
    """ASGI middleware: counts the SQL statements of each request on ``engine`` (SQLAlchemy
    events, so it needs nothing from csdesk) and reports them in a response header."""

    def __init__(self, app: Any, engine: Any) -> None:
        from sqlalchemy import event

        self.app = app
        event.listen(engine.sync_engine, "before_cursor_execute", _on_statement)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = [0]
        reset = _count.set(counter)

        async def counted_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((STATEMENTS_HEADER, str(counter[0]).encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, counted_send)
        finally:
            _count.reset(reset)


def csdesk_app(url: str) -> Any:
    """csdesk's ASGI app as deployed: production settings (no statement counting of its own,
    no GraphiQL), wrapped in the statement header."""
    import secrets

    from core.config import Settings
    from csdesk.app import create_app

    # A secret of its own: production mode refuses the development default (and demo
    # passwords, which bench.database.fit_for_production replaced).
    settings = Settings(
        database_url=url, environment="production", webhook_secret=secrets.token_urlsafe(32)
    )
    app = create_app(settings)
    return StatementHeader(app, app.state.db.engine)


def raw_app(url: str) -> Any:
    return RawApp(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serve",
        description="Serve csdesk or the raw baseline for the benchmark (uvicorn, one process).",
    )
    parser.add_argument("app", choices=["csdesk", "raw"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    import uvicorn

    app = csdesk_app(args.database_url) if args.app == "csdesk" else raw_app(args.database_url)
    uvicorn.run(
        app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="on"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
