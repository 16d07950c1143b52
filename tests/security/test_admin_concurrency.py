"""A role changed while a manager acts on one of its users: the manager's check sees the role
as it is when the change commits, never as it was (the role row is locked between the check
and the write; on SQLite writers are serialised anyway)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select, text

from auth.sessions import load_viewer
from core.db import Database
from models import Role, User
from models.enums import StoreAccess
from resolvers.admin import roles as admin_roles
from tests.conftest import GraphQLClient
from tests.security.test_admin_matrix import PASSWORD, admin_state, build_world, global_ids
from tests.test_admin import USER_UPDATE, as_user, mutate

WAITING = """SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'"""


async def wait_until_blocked(db: Database, task: asyncio.Task[Any]) -> None:
    """Return once ``task``'s request waits on a row lock (PostgreSQL), or has finished."""
    if db.is_sqlite:
        # The request queues behind the open write transaction (BEGIN IMMEDIATE).
        await asyncio.sleep(0.2)
        return
    for _ in range(3000):  # a guard against hanging forever, not a timing assertion
        if task.done():
            return
        async with db.read() as session:
            if await session.scalar(text(WAITING)):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the request neither finished nor waited on a lock")


async def test_a_role_widened_while_its_user_is_reset_is_checked_widened(
    gql: GraphQLClient, db: Database
) -> None:
    await build_world(db)
    manager = await as_user(gql, "l2fr", PASSWORD)  # level 2, USER_MANAGE, FR only
    _, users = await global_ids(db)
    async with db.read() as session:
        admin_id = await session.scalar(select(User.id).where(User.username == "admin"))
        role_id = await session.scalar(select(Role.id).where(Role.name == "T lower in scope"))
        assert admin_id is not None and role_id is not None
        admin = await load_viewer(session, admin_id)
    async with db.write() as session:
        # The administrator gives the role US too: from now on l2fr does not manage it.
        await admin_roles.update_role(
            session, admin, role_id, store_access=StoreAccess.SPECIFIC, store_codes=["FR", "US"]
        )
        reset = asyncio.create_task(
            mutate(manager, USER_UPDATE, userId=users["t-in-scope"], password="taken-over-1")
        )
        await wait_until_blocked(db, reset)
        await session.commit()
    after_widening = await admin_state(db)
    result = await reset
    assert (result["__typename"], result.get("field")) == ("NotFound", ["input", "userId"])
    assert await admin_state(db) == after_widening
