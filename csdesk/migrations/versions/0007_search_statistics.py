"""finer statistics for the exact-field search keys on PostgreSQL

The planner's estimate of how many orders a postal code, telephone, e-mail or reference
prefix matches decides between the key's own index (a few rows) and walking the date index
with a filter (every order when the match is rare). With the default sample, a rare key of a
common prefix was sometimes estimated common; a larger sample keeps the estimate near the
truth. SQLite: nothing to do.

Revision ID: 0007_search_statistics
Revises: 0006_logins
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007_search_statistics"
down_revision: str | None = "0006_logins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "billing_postal_key",
    "shipping_postal_key",
    "phone_key",
    "billing_phone_key",
    "shipping_phone_key",
    "email_key",
    "reference_key",
)
TARGET = 1000


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(f'ALTER TABLE "order" ALTER COLUMN {column} SET STATISTICS {TARGET}')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(f'ALTER TABLE "order" ALTER COLUMN {column} SET STATISTICS -1')
