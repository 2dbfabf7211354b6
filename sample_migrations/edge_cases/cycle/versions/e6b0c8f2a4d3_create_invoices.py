"""create invoices table

Revision ID: e6b0c8f2a4d3
Revises: d3f7a1c9e5b2
Create Date: 2024-05-20 14:08:55.190384

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e6b0c8f2a4d3"
down_revision = "d3f7a1c9e5b2"
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
