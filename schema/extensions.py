"""Schema extensions: the development-mode SQL statement count."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from core.db import statement_counter


class SqlStatementsExtension(SchemaExtension):
    """Adds ``extensions.sqlStatements``: SQL statements the request ran (development only).

    Only for viewers who see every store: to anyone else, a count that differs between an
    order outside their stores and one that does not exist would tell the two apart, which
    the answers themselves never do."""

    def get_results(self) -> dict[str, Any]:
        counter = statement_counter.get()
        if counter is None:
            return {}
        viewer = getattr(self.execution_context.context, "viewer", None)
        if viewer is None or not viewer.all_stores:
            return {}
        return {"sqlStatements": counter.count}
