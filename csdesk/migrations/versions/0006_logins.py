"""login throttling per address: an index on the login attempts' address and time; the new
SCHEMA_INTROSPECT permission for administrators

Data: roles that hold every permission but INTEGRATION (administrators) get SCHEMA_INTROSPECT,
as the seed gives it to them (nobody may change their own role's permissions).

Revision ID: 0006_logins
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_logins"
down_revision: str | None = "0005_followups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ADMIN_PERMISSIONS = {
    "ORDER_VIEW", "COMMENT_ADD", "EXCHANGE_CREATE", "RESHIPMENT_CREATE", "APPEASEMENT_CREATE",
    "APPEASEMENT_CANCEL", "RETURN_CREATE", "RETURN_APPROVE", "RETURN_CANCEL", "ORDER_CANCEL",
    "ORDER_EDIT", "REFUND_RETRY", "USER_MANAGE", "SETTINGS_MANAGE",
}  # fmt: skip
NEW_PERMISSION = "SCHEMA_INTROSPECT"


def upgrade() -> None:
    op.create_index("ix_login_attempt_address_at", "login_attempt", ["address", "at"])
    conn = op.get_bind()
    role = sa.table("role", sa.column("id", sa.Integer()), sa.column("permissions", sa.JSON()))
    for role_id, permissions in conn.execute(sa.select(role.c.id, role.c.permissions)).all():
        held = set(permissions or [])
        if held >= ADMIN_PERMISSIONS and NEW_PERMISSION not in held:
            granted = [*permissions, NEW_PERMISSION]
            conn.execute(role.update().where(role.c.id == role_id).values(permissions=granted))


def downgrade() -> None:
    op.drop_index("ix_login_attempt_address_at", table_name="login_attempt")
    conn = op.get_bind()
    role = sa.table("role", sa.column("id", sa.Integer()), sa.column("permissions", sa.JSON()))
    for role_id, permissions in conn.execute(sa.select(role.c.id, role.c.permissions)).all():
        if NEW_PERMISSION in (permissions or []):
            kept = [p for p in permissions if p != NEW_PERMISSION]
            conn.execute(role.update().where(role.c.id == role_id).values(permissions=kept))
