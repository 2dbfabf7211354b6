"""create invoices table

Revision ID: 7df9151284c3
Revises: 6ce8040173b2
Create Date: 2024-11-18 11:05:33.781240

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7df9151284c3"
down_revision = "6ce8040173b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table("invoices")
