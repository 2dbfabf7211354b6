"""create orders table

The parent revision is referenced through a module-level constant.

Revision ID: b13d5e7f9024
Revises: a02c4d6e8f13
Create Date: 2025-01-20 15:30:06.471829

"""
import sqlalchemy as sa
from alembic import op

PREVIOUS = "a02c4d6e8f13"

# revision identifiers, used by Alembic.
revision = "b13d5e7f9024"
down_revision = PREVIOUS
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
