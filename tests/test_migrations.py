"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from core.db import Database
from csdesk.migrate import current_heads
from models import Base, search
from models.search import include_object


def _diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
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


async def test_search_structures_exist_after_every_migration(empty_db: Database) -> None:
    """The trigram indexes (PostgreSQL) or the FTS table and the triggers that keep it in
    step (SQLite) survive later migrations that rebuild the order table."""
    async with empty_db.engine.connect() as conn:
        if empty_db.is_sqlite:
            rows = await conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
                f"AND name LIKE '{search.ORDER_SEARCH}%'"
            )
            names = {r[0] for r in rows}
            assert {search.ORDER_SEARCH, *(f"{search.ORDER_SEARCH}_{s}" for s in
                    ("insert", "update", "delete"))} <= names  # fmt: skip
        else:
            rows = await conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'order'"
            )
            assert set(search.TRIGRAM_INDEXES) <= {r[0] for r in rows}
