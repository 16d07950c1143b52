"""Search structures the database keeps beside the models' tables, made by migration
``0002_search_indexes`` and maintained by the database itself (not mapped by the ORM):

- PostgreSQL: trigram GIN indexes (``pg_trgm``) on the order's name and address keys, which
  ``LIKE '%term%'`` uses.
- SQLite: ``order_search``, an FTS5 table with the trigram tokenizer over the same keys,
  external-content on ``order`` and kept in step by triggers; searches match it first and
  then apply the same ``LIKE`` to the candidates.

Bulk loads (the demo seed) suspend their upkeep and rebuild them once at the end, which is
several times faster than maintaining them row by row.
"""

from __future__ import annotations

from typing import Any

ORDER_SEARCH = "order_search"
SEARCHED_KEYS = ("name_key", "shipping_address_key", "billing_address_key")
TRIGRAM_INDEXES = {f"ix_order_{key}_trgm": key for key in SEARCHED_KEYS}
_KEYS = ", ".join(SEARCHED_KEYS)
_OLD = ", ".join(f"old.{k}" for k in SEARCHED_KEYS)
_NEW = ", ".join(f"new.{k}" for k in SEARCHED_KEYS)
_TRIGGERS = {
    f"{ORDER_SEARCH}_insert": (
        f'AFTER INSERT ON "order" BEGIN '
        f"INSERT INTO {ORDER_SEARCH}(rowid, {_KEYS}) VALUES (new.id, {_NEW}); END"
    ),
    f"{ORDER_SEARCH}_delete": (
        f'AFTER DELETE ON "order" BEGIN '
        f"INSERT INTO {ORDER_SEARCH}({ORDER_SEARCH}, rowid, {_KEYS}) "
        f"VALUES ('delete', old.id, {_OLD}); END"
    ),
    f"{ORDER_SEARCH}_update": (
        f'AFTER UPDATE OF {_KEYS} ON "order" BEGIN '
        f"INSERT INTO {ORDER_SEARCH}({ORDER_SEARCH}, rowid, {_KEYS}) "
        f"VALUES ('delete', old.id, {_OLD}); "
        f"INSERT INTO {ORDER_SEARCH}(rowid, {_KEYS}) VALUES (new.id, {_NEW}); END"
    ),
}


def create_statements(dialect: str) -> list[str]:
    """DDL that creates the structures (the migration)."""
    if dialect == "postgresql":
        return ["CREATE EXTENSION IF NOT EXISTS pg_trgm", *restore_statements(dialect)]
    return [
        f"CREATE VIRTUAL TABLE {ORDER_SEARCH} USING fts5({_KEYS}, content='order', "
        "content_rowid='id', tokenize='trigram')",
        *restore_statements(dialect),
    ]


def drop_statements(dialect: str) -> list[str]:
    """DDL that removes them (the migration's downgrade)."""
    if dialect == "postgresql":
        return suspend_statements(dialect)
    return [*suspend_statements(dialect), f"DROP TABLE IF EXISTS {ORDER_SEARCH}"]


def suspend_statements(dialect: str) -> list[str]:
    """Before a bulk load: stop maintaining them row by row."""
    if dialect == "postgresql":
        return [f"DROP INDEX IF EXISTS {name}" for name in TRIGRAM_INDEXES]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in _TRIGGERS]


def restore_statements(dialect: str) -> list[str]:
    """After a bulk load (and on creation): build them from the rows and resume upkeep."""
    if dialect == "postgresql":
        return [
            f'CREATE INDEX IF NOT EXISTS {name} ON "order" USING gin ({key} gin_trgm_ops)'
            for name, key in TRIGRAM_INDEXES.items()
        ]
    return [
        f"INSERT INTO {ORDER_SEARCH}({ORDER_SEARCH}) VALUES ('rebuild')",
        *(f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in _TRIGGERS.items()),
    ]


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter: leave these structures out of model/database comparisons."""
    if type_ == "table" and name is not None and name.startswith(ORDER_SEARCH):
        return False
    return not (type_ == "index" and name in TRIGRAM_INDEXES)
