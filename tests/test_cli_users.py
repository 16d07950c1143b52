"""``csdesk user create`` and ``csdesk token create`` on real databases."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core.db import Database
from csdesk.app import create_app
from csdesk.cli import main
from models import Role, SessionToken, User
from models.enums import StoreAccess, TokenKind
from tests.conftest import GraphQLClient, make_settings

VIEWER = "{ viewer { username displayName timeZone role { name level } permissions } }"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Runs ``csdesk`` on a database with ``stdin`` as standard input; returns the exit code."""

    async def run(db: Database, *argv: str, stdin: str = "") -> int:
        url = db.engine.url.render_as_string(hide_password=False)
        monkeypatch.setenv("CSDESK_DATABASE_URL", url)
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return await asyncio.to_thread(main, list(argv))

    return run


async def http_client(db: Database) -> AsyncIterator[GraphQLClient]:
    app = create_app(make_settings(db), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield GraphQLClient(http)


@pytest.fixture
async def empty_gql(empty_db: Database) -> AsyncIterator[GraphQLClient]:
    async for client in http_client(empty_db):
        yield client


async def user_count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_first_administrator_on_an_empty_database(
    cli: Any, empty_db: Database, empty_gql: GraphQLClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await cli(
        empty_db,
        "user",
        "create",
        "--username",
        "root",
        "--display-name",
        "Root Admin",
        "--role",
        "Administrator",
        "--time-zone",
        "Europe/Berlin",
        "--create-admin-role",
        stdin="correct horse battery\n",
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "created the role 'Administrator'" in out
    assert "created user 'root'" in out
    async with empty_db.read() as session:
        role = await session.scalar(select(Role).where(Role.name == "Administrator"))
    assert role is not None
    assert (role.level, role.store_access) == (1, StoreAccess.ALL)
    assert "INTEGRATION" not in role.permissions and "USER_MANAGE" in role.permissions

    await empty_gql.login("root", "correct horse battery")
    viewer = (await empty_gql.data(VIEWER))["viewer"]
    assert viewer["displayName"] == "Root Admin"
    assert viewer["timeZone"] == "Europe/Berlin"
    assert viewer["role"] == {"name": "Administrator", "level": 1}

    # A second run reuses the role.
    code = await cli(
        empty_db,
        "user",
        "create",
        "--username",
        "root2",
        "--display-name",
        "Second",
        "--role",
        "Administrator",
        "--create-admin-role",
        stdin="another-password\n",
    )
    assert code == 0
    assert "created the role" not in capsys.readouterr().out
    async with empty_db.read() as session:
        roles = await session.scalar(select(func.count()).select_from(Role))
        zone = await session.scalar(select(User.time_zone).where(User.username == "root2"))
    assert roles == 1
    assert zone == "Europe/London"


async def test_unknown_role_on_an_empty_database_points_at_the_flag(
    cli: Any, empty_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await cli(
        empty_db,
        "user",
        "create",
        "--username",
        "root",
        "--display-name",
        "Root",
        "--role",
        "Administrator",
        stdin="long-enough-1\n",
    )
    assert code == 1
    assert "--create-admin-role" in capsys.readouterr().err
    assert await user_count(empty_db) == 0


async def test_user_create_refusals(
    cli: Any, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await user_count(db)
    base = ["user", "create", "--username", "newagent", "--display-name", "New Agent"]
    code = await cli(db, *base, "--role", "Nobody", stdin="long-enough-1\n")
    err = capsys.readouterr().err
    assert code == 1
    assert "No role named 'Nobody'" in err
    assert "CS Agent" in err and "Administrator" in err

    code = await cli(db, *base, "--role", "CS Agent", stdin="short\n")
    assert code == 1
    assert "at least 8 characters" in capsys.readouterr().err

    code = await cli(db, *base, "--role", "CS Agent", stdin="")
    assert code == 1
    assert "no password" in capsys.readouterr().err

    code = await cli(
        db, *base, "--role", "CS Agent", "--time-zone", "Mars/Olympus", stdin="long-enough-1\n"
    )
    assert code == 1
    assert "Mars/Olympus" in capsys.readouterr().err

    dup = ["user", "create", "--username", "agent", "--display-name", "Again"]
    code = await cli(db, *dup, "--role", "CS Agent", stdin="long-enough-1\n")
    assert code == 1
    assert "'agent' is taken" in capsys.readouterr().err
    assert await user_count(db) == before

    code = await cli(db, *base, "--role", "CS Agent", stdin="long-enough-1\n")
    assert code == 0
    assert await user_count(db) == before + 1


async def test_password_prompt_on_a_terminal(
    cli: Any, db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["first-password", "other-password", "same-password", "same-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    argv = ["user", "create", "--username", "tty", "--display-name", "T", "--role", "CS Agent"]

    async def run() -> int:
        url = db.engine.url.render_as_string(hide_password=False)
        monkeypatch.setenv("CSDESK_DATABASE_URL", url)
        monkeypatch.setattr("sys.stdin", Tty())
        return await asyncio.to_thread(main, argv)

    assert await run() == 1
    assert "do not match" in capsys.readouterr().err
    assert await run() == 0


async def test_token_create_for_the_integration_user(
    cli: Any, db: Database, gql: GraphQLClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await cli(db, "token", "create", "--user", "integration")
    captured = capsys.readouterr()
    assert code == 0
    token = captured.out.strip()
    assert token and "\n" not in token and " " not in token
    assert "shown this once" in captured.err
    async with db.read() as session:
        kinds = list(
            await session.scalars(
                select(SessionToken.kind)
                .join(User, User.id == SessionToken.user_id)
                .where(User.username == "integration")
            )
        )
    assert kinds == [TokenKind.API]
    body = await gql.execute("{ viewer { username permissions } }", token=token)
    assert body["data"]["viewer"]["username"] == "integration"
    assert "INTEGRATION" in body["data"]["viewer"]["permissions"]


@pytest.mark.parametrize(
    ("user", "message"),
    [("agent", "lacks the INTEGRATION permission"), ("nobody", "No user named 'nobody'")],
)
async def test_token_create_refusals(
    cli: Any, db: Database, capsys: pytest.CaptureFixture[str], user: str, message: str
) -> None:
    code = await cli(db, "token", "create", "--user", user)
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert message in captured.err
    async with db.read() as session:
        api = await session.scalar(
            select(func.count()).select_from(SessionToken).where(SessionToken.kind == TokenKind.API)
        )
    assert api == 0


async def test_token_create_refuses_a_deactivated_user(
    cli: Any, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    async with db.write() as session:
        user = await session.scalar(select(User).where(User.username == "integration"))
        assert user is not None
        user.active = False
        await session.commit()
    assert await cli(db, "token", "create", "--user", "integration") == 1
    assert "deactivated" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["user", "create", "--help"], ["token", "create", "--help"]])
def test_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: csdesk" in out
    if argv[0] == "user":
        assert "--create-admin-role" in out and "standard input" in out
