"""Logging set-up: one JSON object per line (production) or readable lines (development).

Structured facts travel in ``extra={"fields": {...}}``; both formats print them, and the
request id of the request being served is added to every line written during it. A traceback
stays inside its JSON line (``exc``), so a log collector never sees half a record.

The standard library's logging with a small formatter rather than a library: the two formats
are forty lines, and every library's logger (uvicorn's, SQLAlchemy's, Alembic's) goes through
the same handler unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, TextIO

from core.observability import current_request_id

HANDLER_NAME = "csdesk"


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The structured facts of a record: its ``fields`` extra and the current request id."""
    found: dict[str, Any] = {}
    request_id = getattr(record, "request_id", None) or current_request_id()
    if request_id:
        found["request_id"] = request_id
    extra = getattr(record, "fields", None)
    if isinstance(extra, dict):
        found.update(extra)
    return found


def _timestamp(record: logging.LogRecord) -> str:
    instant = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", ...fields, "exc"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(fields_of(record))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


def _console_value(value: Any) -> str:
    if isinstance(value, str):
        return value if value and " " not in value and '"' not in value else json.dumps(value)
    if isinstance(value, list | dict):
        return json.dumps(value, default=str, ensure_ascii=False, separators=(",", ":"))
    return str(value)


_STATED = frozenset({"method", "path", "status"})


class ConsoleFormatter(logging.Formatter):
    """``12:04:05.123 INFO  csdesk.request POST /graphql 200 key=value …`` (traceback below)."""

    def format(self, record: logging.LogRecord) -> str:
        clock = dt.datetime.fromtimestamp(record.created).strftime("%H:%M:%S.%f")[:-3]
        message = record.getMessage()
        said = set(message.split())  # the request line's message states these already
        facts = " ".join(
            f"{k}={_console_value(v)}"
            for k, v in fields_of(record).items()
            if v is not None and v != [] and not (k in _STATED and str(v) in said)
        )
        line = f"{clock} {record.levelname:<5} {record.name} {message}"
        if facts:
            line += f"  {facts}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (as logging's last resort
    does), not to the stream it was when configured: a replaced stderr (a test's capture, a
    daemon's redirection) then never receives writes to a closed file."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure_logging(
    *, json_lines: bool, level: str = "INFO", stream: TextIO | None = None
) -> None:
    """Send every logger's records to standard error (or ``stream``) in one format. Replaces
    only the handler it installed before, so a test's capturing handler stays."""
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == HANDLER_NAME:
            root.removeHandler(old)
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _StandardError()
    )
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if json_lines else ConsoleFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own handlers would print its lines a second time, in its format; its access
    # log is replaced by csdesk's request line (csdesk/observability.py).
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
