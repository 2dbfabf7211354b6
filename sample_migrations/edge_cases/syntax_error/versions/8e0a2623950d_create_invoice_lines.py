"""create invoice_lines table

The header is fine; the body has a missing comma in the "quantity"
column (line 26), so the module does not compile.

Revision ID: 8e0a2623950d
Revises: 7df9151284c3
Create Date: 2024-11-25 16:29:10.318456

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8e0a2623950d"
down_revision = "7df9151284c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("quantity", sa.Integer() nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table("invoice_lines")
