"""create orders table

Revision ID: 8e2d4b6a1c93
Revises: 3f1c9a2b7d40
Create Date: 2024-02-12 16:40:03.102945

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8e2d4b6a1c93"
down_revision = "3f1c9a2b7d40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_orders_account_id", "orders", ["account_id"])


def downgrade():
    op.drop_index("ix_orders_account_id", table_name="orders")
    op.drop_table("orders")
