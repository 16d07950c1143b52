"""Test harness: a fresh database per test on SQLite and, when CSDESK_TEST_POSTGRES_URL is set,
on PostgreSQL (the backend shows in the test id), an HTTP client on the ASGI app, and helpers.

Each backend has a migrated template (and a seeded one); a test gets its own copy: a file copy
on SQLite, ``CREATE DATABASE … TEMPLATE …`` on PostgreSQL. Tests may therefore commit, run
concurrent transactions and inspect the database freely.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from core.config import Settings
from core.db import Database
from csdesk.app import create_app


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """Each test starts and ends with the root logger as pytest set it: a command run
    in-process (``csdesk serve``, ``csdesk import``) configures csdesk's log handler, which
    would otherwise write into the next test's captured stderr."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


PG_URL = os.environ.get("CSDESK_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
SEED_ORDERS = 240
SEED = 7
_counter = itertools.count()


def pytest_report_header(config: pytest.Config) -> str:
    return "csdesk backends: " + ", ".join(BACKENDS)


async def _pg_admin(sql: str) -> None:
    import asyncpg

    assert PG_URL
    url = make_url(PG_URL)
    conn = await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.host,
        port=url.port,
        database=url.database,
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_url(name: str) -> str:
    assert PG_URL
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@dataclass
class Template:
    backend: str
    url: str
    path: Path | None = None
    name: str | None = None

    async def clone(self, tmp: Path) -> str:
        n = next(_counter)
        if self.backend == "sqlite":
            assert self.path is not None
            target = tmp / f"db{n}.sqlite"
            shutil.copyfile(self.path, target)
            return f"sqlite+aiosqlite:///{target}"
        name = f"csdesk_t{os.getpid()}_{n}"
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        return _pg_url(name)

    async def drop(self, url: str) -> None:
        if self.backend == "postgresql":
            name = make_url(url).database
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build_template(backend: str, tmp: Path, label: str, seed_orders: int) -> Template:
    from csdesk.migrate import upgrade

    if backend == "sqlite":
        path = tmp / f"template-{label}.sqlite"
        url = f"sqlite+aiosqlite:///{path}"
        template = Template(backend, url, path=path)
    else:
        name = f"csdesk_tpl{os.getpid()}_{label}"
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = _pg_url(name)
        template = Template(backend, url, name=name)
    upgrade(url)
    if seed_orders:
        from csdesk.seed import seed_database

        async def run() -> None:
            db = Database.connect(url)
            try:
                await seed_database(db, orders=seed_orders, seed=SEED, quiet=True)
            finally:
                await db.dispose()

        asyncio.run(run())
    if backend == "sqlite":
        # Fold the WAL into the main file so that a plain file copy is complete.
        import sqlite3

        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
    return template


_templates: dict[tuple[str, str], Template] = {}


def _template(backend: str, label: str, seed_orders: int, tmp_factory: Any) -> Template:
    key = (backend, label)
    if key not in _templates:
        _templates[key] = _build_template(
            backend, tmp_factory.mktemp(f"tpl-{backend}-{label}"), label, seed_orders
        )
    return _templates[key]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for template in _templates.values():
        if template.backend == "postgresql":
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{template.name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _database(template: Template, tmp_path: Path) -> AsyncIterator[Database]:
    url = await template.clone(tmp_path)
    db = Database.connect(url)
    try:
        yield db
    finally:
        await db.dispose()
        await template.drop(url)


@pytest.fixture
def empty_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Template:
    """Built outside the event loop: migrations run their own loop."""
    return _template(backend, "empty", 0, tmp_path_factory)


@pytest.fixture
def seeded_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Template:
    return _template(backend, "seeded", SEED_ORDERS, tmp_path_factory)


@pytest.fixture
async def empty_db(empty_template: Template, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database of its own."""
    async for db in _database(empty_template, tmp_path):
        yield db


@pytest.fixture
async def db(seeded_template: Template, tmp_path: Path) -> AsyncIterator[Database]:
    """A database of its own holding the standard demo seed (SEED_ORDERS orders, seed SEED)."""
    async for database in _database(seeded_template, tmp_path):
        yield database


def make_settings(db: Database, **overrides: Any) -> Settings:
    return Settings(database_url=str(db.engine.url), **overrides)


@pytest.fixture
async def app(db: Database) -> Any:
    return create_app(make_settings(db), database=db)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        yield c


class StatementLog:
    """Every SQL statement the engine runs while attached (BEGIN/COMMIT excluded)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql_log(db: Database) -> Iterator[StatementLog]:
    log = StatementLog()
    event.listen(db.engine.sync_engine, "before_cursor_execute", log)
    try:
        yield log
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", log)


class GraphQLClient:
    """Posts GraphQL operations over HTTP, optionally signed in."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token: str | None = None

    async def login(self, username: str, password: str | None = None) -> str:
        data = await self.execute(
            "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) "
            "{ __typename ... on LoginSuccess { token } ... on UserError { code message } } }",
            {"u": username, "p": password or username},
        )
        result = data["data"]["login"]
        assert result["__typename"] == "LoginSuccess", result
        self.token = result["token"]
        return str(self.token)

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {}
        bearer = token or self.token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Execute and return ``data``, failing on any GraphQL error."""
        body = await self.execute(query, variables)
        assert not body.get("errors"), body["errors"]
        result: dict[str, Any] = body["data"]
        return result


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)
