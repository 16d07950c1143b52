"""Schema extensions: the development-mode SQL statement count."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from core.db import statement_counter


class SqlStatementsExtension(SchemaExtension):
    """Adds ``extensions.sqlStatements``: SQL statements the request ran (development only)."""

    def get_results(self) -> dict[str, Any]:
        counter = statement_counter.get()
        return {} if counter is None else {"sqlStatements": counter.count}
