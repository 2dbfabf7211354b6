"""create orders table

Revision ID: 6d2f8a0c3e71
Revises: 0b7e4c1a9d35
Create Date: 2024-01-15 13:47:30.661290

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6d2f8a0c3e71"
down_revision = "0b7e4c1a9d35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table("orders")
