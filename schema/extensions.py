"""Schema extensions: the development-mode SQL statement count."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from core.db import statement_counter


class SqlStatementsExtension(SchemaExtension):
    """Adds ``extensions.sqlStatements``: SQL statements the request ran (development only)."""

    def get_results(self) -> dict[str, Any]:
        # Statements are counted in every mode (the request log names them); only development
        # tells the client.
        settings = getattr(self.execution_context.context, "settings", None)
        counter = statement_counter.get()
        if counter is None or settings is None or not settings.development:
            return {}
        return {"sqlStatements": counter.count}
