"""the order lifecycle: shipments, shipping refunds, failed-refund retries, return receipts
and dispositions, address phones in search, reason labels per language, new permissions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Data: every order's shipping refund ledger starts at its shipping charge (no shipping refund
existed before); the address phones get their search keys; reasons get an empty label map.
A database that already holds reasons (a deployment, not an empty one about to be seeded)
gets default cancellation and reshipment reasons, since cancelling now needs one; roles that
held every permission but INTEGRATION (administrators) get the new ORDER_EDIT and
REFUND_RETRY. Orders shipped before this revision have no shipment rows: their history tells.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from models import search
from resolvers.normalize import phone_key

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
OLD_PERMISSIONS = {
    "ORDER_VIEW", "COMMENT_ADD", "EXCHANGE_CREATE", "RESHIPMENT_CREATE", "APPEASEMENT_CREATE",
    "APPEASEMENT_CANCEL", "RETURN_CREATE", "RETURN_APPROVE", "RETURN_CANCEL", "ORDER_CANCEL",
    "USER_MANAGE", "SETTINGS_MANAGE",
}  # fmt: skip
NEW_PERMISSIONS = ["ORDER_EDIT", "REFUND_RETRY"]
DEFAULT_REASONS = {
    "CANCELLATION": (
        ("CUSTOMER_REQUEST", "Customer request"),
        ("ORDERED_BY_MISTAKE", "Ordered by mistake"),
        ("DELIVERY_TOO_LATE", "Delivery date too late"),
        ("PAYMENT_ISSUE", "Payment issue"),
        ("FRAUD_SUSPECTED", "Fraud suspected"),
        ("OTHER", "Other"),
    ),
    "RESHIPMENT": (
        ("LOST_IN_TRANSIT", "Lost in transit"),
        ("DAMAGED", "Arrived damaged"),
        ("WRONG_ITEM", "Wrong item sent"),
    ),
}


def upgrade() -> None:
    op.create_table(
        "shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("tracking_url", sa.String(length=500), nullable=True),
        sa.Column("shipped_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["order.id"], name=op.f("fk_shipment_order_id_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment")),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shipment_order_id_shipped_at", ["order_id", "shipped_at"], unique=False
        )

    with op.batch_alter_table("line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipment_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("delivered_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_line_shipment_id"), ["shipment_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_line_shipment_id_shipment"), "shipment", ["shipment_id"], ["id"]
        )

    # New NOT NULL columns are added nullable, filled, then made NOT NULL.
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shipping_refundable", sa.Numeric(precision=18, scale=4), nullable=True)
        )
        batch_op.add_column(sa.Column("billing_phone_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("shipping_phone_key", sa.String(length=40), nullable=True))
    op.execute('UPDATE "order" SET shipping_refundable = shipping_amount')
    _phone_keys()
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.alter_column(
            "shipping_refundable",
            existing_type=sa.Numeric(precision=18, scale=4),
            nullable=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_billing_phone_key"), ["billing_phone_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_shipping_phone_key"), ["shipping_phone_key"], unique=False
        )
        batch_op.create_check_constraint(
            op.f("ck_order_shipping_refundable_not_negative"), "shipping_refundable >= 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_order_shipping_refundable_within_shipping"),
            "shipping_refundable <= shipping_amount",
        )

    with op.batch_alter_table("postsales_action_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("received_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "disposition",
                sa.Enum("RESTOCK", "DAMAGED", name="disposition", native_enum=False, length=32),
                nullable=True,
            )
        )

    with op.batch_alter_table("reason", schema=None) as batch_op:
        batch_op.add_column(sa.Column("labels", sa.JSON(), nullable=True))
    op.execute("UPDATE reason SET labels = '{}'")
    with op.batch_alter_table("reason", schema=None) as batch_op:
        batch_op.alter_column("labels", existing_type=sa.JSON(), nullable=False)
    _default_reasons()

    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retry_of_id", sa.Integer(), nullable=True))
        batch_op.alter_column("line_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_refund_retry_of_id"), ["retry_of_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_refund_retry_of_id_refund"), "refund", ["retry_of_id"], ["id"]
        )

    _grant_new_permissions()
    _restore_search()


def _restore_search() -> None:
    """SQLite rebuilds the order table above (copy, drop, rename), and dropping it drops the
    triggers that keep the search index (revision 0002) in step: put them back."""
    if op.get_bind().dialect.name == "sqlite":
        for statement in search.restore_statements("sqlite"):
            op.execute(statement)


def _phone_keys() -> None:
    """Search keys of the billing and shipping phones, computed like the importer's."""
    conn = op.get_bind()
    order = sa.table(
        "order",
        sa.column("id", sa.Integer()),
        sa.column("billing_phone", sa.String()),
        sa.column("billing_country", sa.String()),
        sa.column("shipping_phone", sa.String()),
        sa.column("shipping_country", sa.String()),
        sa.column("billing_phone_key", sa.String()),
        sa.column("shipping_phone_key", sa.String()),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(
                order.c.id,
                order.c.billing_phone,
                order.c.billing_country,
                order.c.shipping_phone,
                order.c.shipping_country,
            )
            .where(
                order.c.id > last,
                sa.or_(order.c.billing_phone.is_not(None), order.c.shipping_phone.is_not(None)),
            )
            .order_by(order.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            order.update()
            .where(order.c.id == sa.bindparam("oid"))
            .values(
                billing_phone_key=sa.bindparam("billing"),
                shipping_phone_key=sa.bindparam("shipping"),
            ),
            [
                {
                    "oid": r.id,
                    "billing": phone_key(r.billing_phone, r.billing_country),
                    "shipping": phone_key(r.shipping_phone, r.shipping_country),
                }
                for r in rows
            ],
        )
        last = rows[-1].id


def _default_reasons() -> None:
    conn = op.get_bind()
    reason = sa.table(
        "reason",
        sa.column("kind", sa.String()),
        sa.column("code", sa.String()),
        sa.column("label", sa.String()),
        sa.column("labels", sa.JSON()),
        sa.column("position", sa.Integer()),
        sa.column("active", sa.Boolean()),
    )
    kinds = {k for (k,) in conn.execute(sa.select(reason.c.kind).distinct())}
    if not kinds:  # an empty database: the demo seed or an administrator configures reasons
        return
    rows = [
        {"kind": kind, "code": code, "label": label, "labels": {}, "position": pos, "active": True}
        for kind, items in DEFAULT_REASONS.items()
        if kind not in kinds
        for pos, (code, label) in enumerate(items, start=1)
    ]
    if rows:
        op.bulk_insert(reason, rows)


def _grant_new_permissions() -> None:
    conn = op.get_bind()
    role = sa.table("role", sa.column("id", sa.Integer()), sa.column("permissions", sa.JSON()))
    for role_id, permissions in conn.execute(sa.select(role.c.id, role.c.permissions)).all():
        held = set(permissions or [])
        if held >= OLD_PERMISSIONS:
            granted = [*permissions, *(p for p in NEW_PERMISSIONS if p not in held)]
            conn.execute(role.update().where(role.c.id == role_id).values(permissions=granted))


def downgrade() -> None:
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_refund_retry_of_id_refund"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_refund_retry_of_id"), type_="unique")
        batch_op.alter_column("line_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("retry_of_id")

    with op.batch_alter_table("reason", schema=None) as batch_op:
        batch_op.drop_column("labels")

    with op.batch_alter_table("postsales_action_line", schema=None) as batch_op:
        batch_op.drop_column("disposition")
        batch_op.drop_column("received_at")

    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_order_shipping_refundable_within_shipping"), type_="check"
        )
        batch_op.drop_constraint(op.f("ck_order_shipping_refundable_not_negative"), type_="check")
        batch_op.drop_index(batch_op.f("ix_order_shipping_phone_key"))
        batch_op.drop_index(batch_op.f("ix_order_billing_phone_key"))
        batch_op.drop_column("shipping_phone_key")
        batch_op.drop_column("billing_phone_key")
        batch_op.drop_column("shipping_refundable")

    with op.batch_alter_table("line", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_line_shipment_id_shipment"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_line_shipment_id"))
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("shipment_id")

    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index("ix_shipment_order_id_shipped_at")

    op.drop_table("shipment")
    _restore_search()
