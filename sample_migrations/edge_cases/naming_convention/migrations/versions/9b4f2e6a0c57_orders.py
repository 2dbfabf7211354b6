"""orders

Revision ID: 9b4f2e6a0c57
Revises: 5d1e0a7c2b31
Create Date: 2025-10-13 14:40:02.551870

"""
import sqlalchemy as sa
from alembic import op

revision = "9b4f2e6a0c57"
down_revision = "5d1e0a7c2b31"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    )
    op.create_check_constraint("positive_total", "orders", "total > 0")
    op.create_unique_constraint(None, "orders", ["user_id", "total"])
    op.create_index(op.f("ix_orders_total"), "orders", ["total"])


def downgrade():
    op.drop_index(op.f("ix_orders_total"), table_name="orders")
    op.drop_table("orders")
