"""create orders table

Ported from the Django migration 0001 of the "shop" app; the id keeps
the Django naming.

Revision ID: django_0001
Revises: kilo
Create Date: 2022-06-13 16:20:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "django_0001"
down_revision = "kilo"
branch_labels = None
depends_on = None

order_status = postgresql.ENUM("pending", "paid", name="order_status", create_type=False)


def _add_timestamps(table_name):
    """Shared helper: every table gets created_at / updated_at."""
    op.add_column(
        table_name,
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.add_column(
        table_name,
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    )


def _drop_timestamps(table_name):
    op.drop_column(table_name, "updated_at")
    op.drop_column(table_name, "created_at")


def upgrade():
    order_status.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("status", order_status, server_default="pending", nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
    )
    _add_timestamps("orders")
    _add_timestamps("accounts")
    # Name inherited from the Django era; replaced in 4b0ad2f18c9.
    op.create_index("ix_old", "orders", ["account_id"])


def downgrade():
    op.drop_index("ix_old", table_name="orders")
    _drop_timestamps("accounts")
    op.drop_table("orders")
    order_status.drop(op.get_bind(), checkfirst=True)
