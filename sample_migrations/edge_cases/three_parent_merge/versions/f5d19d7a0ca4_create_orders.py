"""create orders table (branch 1 of 3)

Revision ID: f5d19d7a0ca4
Revises: e4c08c6fab93
Create Date: 2024-10-14 10:02:18.710422

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f5d19d7a0ca4"
down_revision = "e4c08c6fab93"
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
