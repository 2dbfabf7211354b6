"""create invoices table

Merged from the "billing" pull request. Shares its parent
(8e2d4b6a1c93) with a47c0e5f9b12.

Revision ID: c5b81d3e6f27
Revises: 8e2d4b6a1c93
Create Date: 2024-03-01 14:25:41.870064

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5b81d3e6f27"
down_revision = "8e2d4b6a1c93"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False, unique=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
    )


def downgrade():
    op.drop_table("invoices")
