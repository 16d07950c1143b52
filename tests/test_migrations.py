"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from core.db import Database
from csdesk.migrate import current_heads
from models import Base


def _diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_database_matches_models(empty_db: Database) -> None:
    async with empty_db.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_migrations_are_at_head_and_create_every_table(empty_db: Database) -> None:
    async with empty_db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        version = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).all()
    assert set(Base.metadata.tables) <= tables
    assert {v[0] for v in version} == set(current_heads())
