"""Before a command touches the database: can CSDESK_DATABASE_URL be used, does the database
exist, answer, and carry this release's schema?

Each problem is a :class:`CommandError`: one line naming what is wrong and what to do, which
``csdesk.cli`` prints before exiting with status 2. The checks create nothing: an SQLite file
that does not exist is reported, not created (only ``csdesk db upgrade`` creates it), and an
existing one is opened read-only.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from core.config import Settings

# The drivers csdesk runs on (async SQLAlchemy dialects), and how to spell a URL for each.
DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
URL_HINT = (
    "use sqlite+aiosqlite:///path/to/csdesk.db or "
    "postgresql+asyncpg://user:password@host:5432/database"
)
UPGRADE = "run `csdesk db upgrade`"
CONNECT_TIMEOUT_SECONDS = 10


class CommandError(Exception):
    """A problem the operator must fix before the command can run (exit status 2)."""


def shown(url: URL | str) -> str:
    """The URL as it may be printed: without its password."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return re.sub(r":[^:@/]*@", ":***@", url)


def first_line(exc: BaseException) -> str:
    """The first line of an error's text, without SQLAlchemy's wrapping."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def parse_url(raw: str) -> URL:
    """CSDESK_DATABASE_URL as a URL for one of csdesk's drivers."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise CommandError(
            f"CSDESK_DATABASE_URL={shown(raw)} is not a database URL: {URL_HINT}"
        ) from None
    if url.drivername not in DRIVERS:
        raise CommandError(
            f"CSDESK_DATABASE_URL={shown(url)} names the driver {url.drivername!r}, which csdesk "
            f"does not run on: {URL_HINT}"
        )
    return url


def sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite URL; None for an in-memory database or another engine."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def check_sqlite_file(path: Path, *, create: bool) -> None:
    """The file exists and can be opened, or (``create``) it can be created."""
    where = f"the SQLite database {path}"
    if path.exists():
        if path.is_dir():
            raise CommandError(f"cannot open {where}: it is a directory; fix CSDESK_DATABASE_URL")
        if not os.access(path, os.R_OK | os.W_OK):
            raise CommandError(f"cannot open {where}: permission denied")
        return
    parent = path.parent
    if not parent.exists():
        raise CommandError(
            f"cannot open {where}: the directory {parent} does not exist; create it or fix "
            "CSDESK_DATABASE_URL"
        )
    if not parent.is_dir():
        raise CommandError(
            f"cannot open {where}: {parent} is not a directory; fix CSDESK_DATABASE_URL"
        )
    if not create:
        raise CommandError(
            f"{where} does not exist: create it with `csdesk db upgrade`, or point "
            "CSDESK_DATABASE_URL at an existing database"
        )
    if not os.access(parent, os.W_OK):
        raise CommandError(f"cannot create {where}: no permission to write in {parent}")


def _sqlite_heads(path: Path) -> tuple[str, ...]:
    """The Alembic revisions recorded in an SQLite file, read without changing it."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise CommandError(f"cannot open the SQLite database {path}: {first_line(exc)}") from exc
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if found is None:
            return ()
        return tuple(row[0] for row in conn.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.DatabaseError as exc:
        raise CommandError(
            f"cannot read the SQLite database {path}: {first_line(exc)}; is it an SQLite file?"
        ) from exc
    finally:
        conn.close()


async def server_heads(url: URL) -> tuple[str, ...]:
    """The Alembic revisions recorded in a database server; CommandError when it does not
    answer."""
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from core.db import asyncpg_options

    options: dict[str, Any] = {
        "poolclass": NullPool,
        "connect_args": {"timeout": CONNECT_TIMEOUT_SECONDS},
    }
    target = asyncpg_options(url.render_as_string(hide_password=False), options)
    engine = create_async_engine(target, **options)
    try:
        async with engine.connect() as conn:
            heads = await conn.run_sync(
                lambda c: tuple(MigrationContext.configure(c).get_current_heads())
            )
    except Exception as exc:  # every driver's way of not answering
        reason = first_line(exc)
        if f'database "{url.database}" does not exist' in reason:
            hint = f"create it (e.g. `createdb {url.database}`), then {UPGRADE}"
        else:
            hint = (
                "is the server running, and are the host, port, user, password and database "
                "name in CSDESK_DATABASE_URL right?"
            )
        raise CommandError(
            f"cannot connect to the database {shown(url)}: {reason}; {hint}"
        ) from exc
    finally:
        await engine.dispose()
    return tuple(heads)


def database_heads(url: URL) -> tuple[str, ...]:
    """The revisions the database is at (empty when it has no csdesk schema)."""
    path = sqlite_file(url)
    if path is not None:
        return _sqlite_heads(path)
    if url.get_backend_name() == "sqlite":  # in memory: a new, empty database each time
        return ()
    return asyncio.run(server_heads(url))


def check_migrated(url: URL, heads: tuple[str, ...]) -> None:
    """The database is at this release's newest revision."""
    from csdesk.migrate import current_heads, known_revisions

    expected = current_heads()
    if set(heads) == set(expected):
        return
    where = f"the database {shown(url)}"
    if not heads:
        raise CommandError(f"{where} is not migrated (it has no csdesk schema): {UPGRADE} first")
    unknown = sorted(set(heads) - known_revisions())
    if unknown:
        raise CommandError(
            f"{where} is at revision {', '.join(unknown)}, which this csdesk does not know: a "
            "newer release migrated it; run that release (or a newer one)"
        )
    raise CommandError(
        f"{where} is not migrated to this release (at {', '.join(sorted(heads))}, needs "
        f"{', '.join(expected)}): {UPGRADE}"
    )


def database_url(*, migrated: bool = True) -> str:
    """CSDESK_DATABASE_URL, once it is known to be usable: a csdesk driver, an existing
    database that answers and, unless ``migrated`` is False, at this release's schema."""
    raw = Settings.from_env().database_url
    url = parse_url(raw)
    path = sqlite_file(url)
    if path is not None:
        check_sqlite_file(path, create=False)
    heads = database_heads(url)
    if migrated:
        check_migrated(url, heads)
    return raw
