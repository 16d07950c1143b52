"""search indexes: trigram indexes (PostgreSQL) or an FTS5 trigram table (SQLite) for name and
address searches; the post-sales action's store, for the queue's store scope

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models import search

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    # The action's store, copied from its order: the post-sales queue filters on it directly
    # (a join to the order table for the store scope made PostgreSQL scan that table).
    with op.batch_alter_table("postsales_action") as batch:
        batch.add_column(sa.Column("store_id", sa.Integer(), nullable=True))
    op.execute(
        'UPDATE postsales_action SET store_id = (SELECT "order".store_id FROM "order" '
        'WHERE "order".id = postsales_action.order_id)'
    )
    with op.batch_alter_table("postsales_action") as batch:
        batch.alter_column("store_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_postsales_action_store_id_store", "store", ["store_id"], ["id"]
        )
        batch.create_index(
            "ix_postsales_action_store_id_created_at", ["store_id", "created_at"], unique=False
        )

    for statement in search.create_statements(bind.dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in search.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table("postsales_action") as batch:
        batch.drop_index("ix_postsales_action_store_id_created_at")
        batch.drop_constraint("fk_postsales_action_store_id_store", type_="foreignkey")
        batch.drop_column("store_id")
