"""create orders table

Revision ID: 7f3b0d5c8a14
Revises: 2c6a9e1f4b83
Create Date: 2024-04-09 15:03:27.914455

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7f3b0d5c8a14"
down_revision = "2c6a9e1f4b83"
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
