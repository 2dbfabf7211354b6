"""create invoices table

This revision was cherry-picked from another branch; its parent
(5e5e0f1d2c3b) was never merged, so it does not exist in this history.

Revision ID: 9a4c2e7b1f08
Revises: 5e5e0f1d2c3b
Create Date: 2024-01-22 08:31:09.250777

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9a4c2e7b1f08"
down_revision = "5e5e0f1d2c3b"
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
