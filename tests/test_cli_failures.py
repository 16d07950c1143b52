"""Every ``csdesk`` command fails like a good tool: a database or configuration problem is ONE
line on standard error naming what is wrong and what to do, exit status 2, no traceback
(``--debug`` shows it), and nothing is created when a command refuses."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from csdesk.cli import main
from csdesk.migrate import current_heads
from tests.conftest import PG_URL, _pg_admin, _pg_url

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Each command, with arguments that would succeed on a good database.
COMMANDS: dict[str, list[str]] = {
    "serve": ["serve", "--port", "8765"],
    "db upgrade": ["db", "upgrade"],
    "seed": ["seed", "--orders", "5"],
    "import orders": ["import", "orders", str(EXAMPLES / "orders.jsonl")],
    "user create": [
        "user", "create", "--username", "ada", "--display-name", "Ada",
        "--role", "Administrator", "--create-admin-role",
    ],
    "token create": ["token", "create", "--user", "integration"],
    "worker --once": ["worker", "--once"],
    "purge": ["purge"],
}  # fmt: skip
# What each failure looks like in CSDESK_DATABASE_URL ({tmp} is the test's directory), and
# what the one line must say.
KINDS: dict[str, tuple[str, list[str]]] = {
    "bad url": ("foo://bar", ["CSDESK_DATABASE_URL", "foo://bar", "sqlite+aiosqlite://"]),
    "not a url": ("not a url at all", ["CSDESK_DATABASE_URL", "postgresql+asyncpg://"]),
    "sync driver": ("sqlite:///{tmp}/x.db", ["CSDESK_DATABASE_URL", "sqlite+aiosqlite://"]),
    "unreachable": (
        "postgresql+asyncpg://csdesk:secret@127.0.0.1:1/csdesk",
        ["cannot connect", "127.0.0.1:1", "is the server running"],
    ),
    "unopenable sqlite path": (
        "sqlite+aiosqlite:///{tmp}/a-file/csdesk.db",
        ["cannot open", "a-file", "not a directory"],
    ),
    "missing sqlite file": (
        "sqlite+aiosqlite:///{tmp}/absent.db",
        ["absent.db", "does not exist", "csdesk db upgrade"],
    ),
    "unmigrated": (
        "sqlite+aiosqlite:///{tmp}/unmigrated.db",
        ["not migrated", "csdesk db upgrade"],
    ),
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding a plain file (not a directory) and an SQLite database without the
    csdesk schema; the command runs there."""
    (tmp_path / "a-file").write_text("not a directory\n")
    conn = sqlite3.connect(tmp_path / "unmigrated.db")
    conn.execute("CREATE TABLE unrelated (id INTEGER PRIMARY KEY)")
    conn.close()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """``csdesk serve`` must refuse before it starts uvicorn: record any start instead."""
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append((a, k)))
    yield started


def run(argv: list[str], monkeypatch: pytest.MonkeyPatch, url: str) -> int:
    monkeypatch.setenv("CSDESK_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    code: int = main(argv)
    return code


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


CASES = [
    (command, kind)
    for command in COMMANDS
    for kind in KINDS
    # Creating the database file, and migrating it, is what `db upgrade` is for.
    if not (command == "db upgrade" and kind in {"missing sqlite file", "unmigrated"})
]


@pytest.mark.parametrize(("command", "kind"), CASES, ids=[f"{c}: {k}" for c, k in CASES])
def test_a_database_problem_is_one_line_and_exit_2(
    command: str,
    kind: str,
    workdir: Path,
    no_server: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, says = KINDS[kind]
    before = files(workdir)
    code = run(COMMANDS[command], monkeypatch, url.format(tmp=workdir))
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("csdesk: "), err
    for text in says:
        assert text in lines[0], (text, lines[0])
    assert "secret" not in err  # passwords never shown
    assert out == ""
    assert no_server == []
    assert files(workdir) == before, "a refusing command created files"


def test_debug_shows_the_traceback(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{workdir}/a-file/csdesk.db"
    code = run(["--debug", "import", "orders", str(EXAMPLES / "orders.jsonl")], monkeypatch, url)
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().splitlines()[-1].startswith("csdesk: ")
    # --debug is accepted after the command too.
    code = run(["import", "orders", "--debug", str(EXAMPLES / "orders.jsonl")], monkeypatch, url)
    assert code == 2
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_bad_configuration_is_one_line_and_exit_2(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CSDESK_ENV", "staging")
    code = run(["import", "orders", str(EXAMPLES / "orders.jsonl")], monkeypatch, "sqlite://")
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [err.strip()]
    assert "CSDESK_ENV" in err


def test_export_schema_to_an_unwritable_place_is_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export-schema", "-o", str(workdir / "a-file" / "schema.graphql")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err and "Traceback" not in err


# -- db upgrade says what it did ---------------------------------------------------------------


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database that exists but holds nothing (PostgreSQL), or a file yet to be created."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"csdesk_fresh{os.getpid()}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_db_upgrade_names_the_revisions_it_applied(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    heads = current_heads()
    assert run(["db", "upgrade"], monkeypatch, fresh_url) == 0
    out = capsys.readouterr().out
    assert "applied 0001" in out and "up to date" not in out
    assert all(head in out for head in heads)

    assert run(["db", "upgrade"], monkeypatch, fresh_url) == 0
    out = capsys.readouterr().out
    assert "up to date" in out and "applied" not in out


def test_commands_refuse_an_unmigrated_postgresql_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], no_server: list[Any]
) -> None:
    if not PG_URL:
        pytest.skip("CSDESK_TEST_POSTGRES_URL is not set")
    name = f"csdesk_unmigrated{os.getpid()}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        for command, argv in COMMANDS.items():
            if command == "db upgrade":
                continue
            assert run(argv, monkeypatch, _pg_url(name)) == 2, command
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and "not migrated" in err, (command, err)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
