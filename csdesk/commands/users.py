"""``csdesk user create``, ``csdesk role create-integration`` and ``csdesk token create|revoke``:
the operator's way to add users (the very first administrator included), and the only way to
grant INTEGRATION: the integration role, its users and their API tokens."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.db import Database
from csdesk.commands.preflight import database_url

T = TypeVar("T")

USER_EPILOG = """\
The password is read from standard input when it is piped
(echo 'a-long-secret' | csdesk user create ...), otherwise prompted for twice.

First administrator on an empty database: add --create-admin-role, which creates the
"Administrator" role (level 1, every permission except INTEGRATION, ALL stores) unless a role
of that name exists, e.g.
  csdesk user create --username admin --display-name "Admin" --role Administrator \\
      --create-admin-role

An integration (payment system, warehouse): add --integration. The user gets the role
"Integration" (or --role), created first if missing, and a random password nobody knows: it
signs in with API tokens only (csdesk token create --user NAME). Nothing is read from
standard input, and running it again changes nothing, e.g.
  csdesk user create --integration --username warehouse --display-name "Warehouse"
"""
ROLE_EPILOG = """\
The role is level 3, holds INTEGRATION and ORDER_VIEW, and sees ALL stores. Running it again
changes nothing; a role of that name without INTEGRATION is refused, not changed.
INTEGRATION is granted only here: the GraphQL API never grants, removes or shows it.
"""


def register(sub: argparse._SubParsersAction[Any]) -> None:
    user = sub.add_parser("user", help="manage users", description="Manage csdesk users.")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    create = user_sub.add_parser(
        "create",
        help="create a user",
        description="Create an active user with a role, on CSDESK_DATABASE_URL.",
        epilog=USER_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    create.add_argument("--username", required=True, help="sign-in name, e.g. jdoe")
    create.add_argument(
        "--display-name", help='shown name, e.g. "Jane Doe" (required unless --integration)'
    )
    create.add_argument(
        "--role", help='role name, e.g. "CS Agent" (with --integration: default "Integration")'
    )
    create.add_argument(
        "--time-zone", help="IANA time zone (default CSDESK_DEFAULT_TIME_ZONE, Europe/London)"
    )
    create.add_argument(
        "--create-admin-role",
        action="store_true",
        help='create the "Administrator" role first if no role of that name exists',
    )
    create.add_argument(
        "--integration",
        action="store_true",
        help="a machine user signing in with API tokens only, holding an INTEGRATION role "
        "(created if missing); idempotent",
    )
    create.set_defaults(func=run_user_create)

    role = sub.add_parser("role", help="manage roles", description="Manage csdesk roles.")
    role_sub = role.add_subparsers(dest="role_command", metavar="ACTION", required=True)
    integration = role_sub.add_parser(
        "create-integration",
        help="create the integration role (INTEGRATION is granted only here)",
        description="Create the role of integration clients on CSDESK_DATABASE_URL, unless "
        "it exists.",
        epilog=ROLE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    integration.add_argument("--name", default="Integration", help="default: Integration")
    integration.set_defaults(func=run_role_create_integration)

    token = sub.add_parser(
        "token", help="manage API tokens", description="Manage long-lived API tokens."
    )
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    tcreate = token_sub.add_parser(
        "create",
        help="create an API token for an integration user",
        description="Print a new long-lived API token (Authorization: Bearer ...) for an "
        "active user whose role holds INTEGRATION. Only the token goes to standard output; "
        "it is shown once and stored hashed.",
    )
    tcreate.add_argument("--user", required=True, help="username of the integration user")
    tcreate.set_defaults(func=run_token_create)
    trevoke = token_sub.add_parser(
        "revoke",
        help="revoke every API token of a user",
        description="Revoke every open API token of a user at once (e.g. one leaked).",
    )
    trevoke.add_argument("--user", required=True, help="username of the integration user")
    trevoke.set_defaults(func=run_token_revoke)


def fail(message: str) -> int:
    print(f"csdesk: {message}", file=sys.stderr)
    return 1


def read_password() -> str | None:
    """The password from piped standard input, or prompted twice on a terminal."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != first:
        return None
    return first


def _in_transaction(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one write transaction (committed when it returns) on ``url``."""

    async def main() -> T:
        db = Database.connect(url)
        try:
            async with db.write() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await db.dispose()

    return asyncio.run(main())


def run_user_create(args: argparse.Namespace) -> int:
    from resolvers.admin import operator, users
    from resolvers.errors import DomainError

    if args.integration:
        if args.create_admin_role:
            return fail("--integration and --create-admin-role do not go together")
        return run_integration_user_create(args)
    if not args.display_name or not args.role:
        return fail("--display-name and --role are required (unless --integration)")
    settings = Settings.from_env()
    url = database_url()  # before asking for a password that could not be used
    password = read_password()
    if password is None:
        return fail("the passwords do not match; nothing was created")
    if not password:
        return fail("no password given (pipe it on standard input or type it at the prompt)")

    async def work(session: AsyncSession) -> tuple[str, bool]:
        created = False
        if args.create_admin_role:
            _, created = await operator.ensure_admin_role(session)
        role = await operator.role_by_name(session, args.role)
        await users.add_user(
            session,
            username=args.username,
            display_name=args.display_name,
            role_id=role.id,
            time_zone=args.time_zone or settings.default_time_zone,
            password=password,
        )
        return role.name, created

    try:
        role_name, created = _in_transaction(url, work)
    except DomainError as exc:
        return fail(f"{exc.message} Nothing was created.")
    if created:
        print(f"csdesk: created the role {operator.ADMIN_ROLE_NAME!r}")
    print(f"csdesk: created user {args.username.strip()!r} with the role {role_name!r}")
    return 0


def run_token_create(args: argparse.Namespace) -> int:
    from resolvers.admin import tokens
    from resolvers.errors import DomainError

    url = database_url()

    async def work(session: AsyncSession) -> str:
        return await tokens.create_api_token(session, args.user)

    try:
        token = _in_transaction(url, work)
    except DomainError as exc:
        return fail(f"{exc.message} No token was created.")
    print(token)
    print(
        f"csdesk: API token for {args.user.strip()!r}: it is shown this once and stored only "
        "hashed; send it as 'Authorization: Bearer <token>'.",
        file=sys.stderr,
    )
    return 0


def run_role_create_integration(args: argparse.Namespace) -> int:
    from resolvers.admin import operator
    from resolvers.errors import DomainError

    url = database_url()

    async def work(session: AsyncSession) -> tuple[str, bool]:
        role, created = await operator.ensure_integration_role(session, args.name)
        return role.name, created

    try:
        name, created = _in_transaction(url, work)
    except DomainError as exc:
        return fail(f"{exc.message} Nothing was created.")
    print(f"csdesk: {'created' if created else 'kept'} the integration role {name!r}")
    return 0


def run_integration_user_create(args: argparse.Namespace) -> int:
    from resolvers.admin import operator
    from resolvers.errors import DomainError

    url = database_url()
    username = args.username.strip()

    async def work(session: AsyncSession) -> tuple[str, bool, bool]:
        role, role_created = await operator.ensure_integration_role(
            session, args.role or operator.INTEGRATION_ROLE_NAME
        )
        _, created = await operator.ensure_integration_user(
            session,
            username=username,
            display_name=args.display_name or username,
            role=role,
            time_zone=args.time_zone or "UTC",
        )
        return role.name, role_created, created

    try:
        role_name, role_created, created = _in_transaction(url, work)
    except DomainError as exc:
        return fail(f"{exc.message} Nothing was created.")
    if role_created:
        print(f"csdesk: created the integration role {role_name!r}")
    if created:
        print(f"csdesk: created integration user {username!r} with the role {role_name!r}")
    else:
        print(f"csdesk: integration user {username!r} exists already; nothing changed")
    print(f"csdesk: its API token: csdesk token create --user {username}")
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    from resolvers.admin import tokens
    from resolvers.errors import DomainError

    url = database_url()

    async def work(session: AsyncSession) -> int:
        return await tokens.revoke_api_tokens(session, args.user)

    try:
        count = _in_transaction(url, work)
    except DomainError as exc:
        return fail(f"{exc.message} Nothing was revoked.")
    print(f"csdesk: revoked {count} API token{'' if count == 1 else 's'} of {args.user.strip()!r}")
    return 0
