"""create invoices table

Revision ID: e1a8c4f2b6d9
Revises: 7f3b0d5c8a14
Create Date: 2024-04-16 17:12:50.026683

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e1a8c4f2b6d9"
down_revision = "7f3b0d5c8a14"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table("invoices")
