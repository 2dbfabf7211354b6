"""create invoices table

Revision ID: d35f7091b246
Revises: cccc2222dddd
Create Date: 2025-02-17 10:44:58.329014

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d35f7091b246"
down_revision = "cccc2222dddd"
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
