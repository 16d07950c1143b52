"""statistics of post-sales actions' kind and status together, on PostgreSQL

A search by a post-sales status ("returns REQUESTED") counts the orders with such an action.
The planner multiplied the share of RETURN actions by the share of REQUESTED ones, as if the
two were unrelated: with many appeasements waiting for the payment system, it expected four
times the returns there were, hashed them, and read every order (34 ms at 100k orders, a
nested loop from the actions' index: 5 ms). Extended statistics on the pair give it the
share of each combination. SQLite: nothing to do (its plan reads the actions' index first).

Revision ID: 0009_action_statistics
Revises: 0008_postal_store_indexes
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_action_statistics"
down_revision: str | None = "0008_postal_store_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "postsales_action_kind_status"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE STATISTICS {NAME} (mcv, dependencies) ON kind, status FROM postsales_action"
    )
    op.execute("ANALYZE postsales_action")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP STATISTICS IF EXISTS {NAME}")
