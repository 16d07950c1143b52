"""supervision: appeasement limits per role and currency (a JSON column of the role),
four-eyes approval of appeasements above them, and the indexes of the approval queue, the
ageing filters and the daily limit

Revision ID: 0004_supervision
Revises: 0003
Create Date: 2026-11-30

Data: roles holding every permission but INTEGRATION (administrators) get the new
APPEASEMENT_APPROVE. No role gets a limit: a role without limits appeases as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0004_supervision"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADMIN_PERMISSIONS = {
    "ORDER_VIEW", "COMMENT_ADD", "EXCHANGE_CREATE", "RESHIPMENT_CREATE", "APPEASEMENT_CREATE",
    "APPEASEMENT_CANCEL", "RETURN_CREATE", "RETURN_APPROVE", "RETURN_CANCEL", "ORDER_CANCEL",
    "ORDER_EDIT", "REFUND_RETRY", "USER_MANAGE", "SETTINGS_MANAGE",
}  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appeasement_limits", sa.JSON(), nullable=True))
    with op.batch_alter_table("postsales_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approval_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decision_comment", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_postsales_action_decided_by_id_user"), "user", ["decided_by_id"], ["id"]
        )
        batch_op.create_index(
            "ix_postsales_action_status_store_id_created_at",
            ["status", "store_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_postsales_action_created_by_id_created_at",
            ["created_by_id", "created_at"],
            unique=False,
        )
    _grant_approval()


def _grant_approval() -> None:
    conn = op.get_bind()
    role = sa.table("role", sa.column("id", sa.Integer()), sa.column("permissions", sa.JSON()))
    for role_id, permissions in conn.execute(sa.select(role.c.id, role.c.permissions)).all():
        held = set(permissions or [])
        if held >= ADMIN_PERMISSIONS and "APPEASEMENT_APPROVE" not in held:
            granted = [*permissions, "APPEASEMENT_APPROVE"]
            conn.execute(role.update().where(role.c.id == role_id).values(permissions=granted))


def downgrade() -> None:
    with op.batch_alter_table("postsales_action", schema=None) as batch_op:
        batch_op.drop_index("ix_postsales_action_created_by_id_created_at")
        batch_op.drop_index("ix_postsales_action_status_store_id_created_at")
        batch_op.drop_constraint(
            batch_op.f("fk_postsales_action_decided_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("decision_comment")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("approval_reason")
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.drop_column("appeasement_limits")
