"""create invoices table

Requested by the finance team for the Montréal office.

Revision ID: 2e3f4a5b6c7d
Revises: 1d2e3f4a5b6c
Create Date: 2024-12-16 10:58:36.440192

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2e3f4a5b6c7d"
down_revision = "1d2e3f4a5b6c"
branch_labels = None
depends_on = None


def upgrade():
    # Montants en centimes (précision exacte, pas de flottants).
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table("invoices")
