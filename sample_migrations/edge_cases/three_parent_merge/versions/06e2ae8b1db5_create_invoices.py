"""create invoices table (branch 2 of 3)

Revision ID: 06e2ae8b1db5
Revises: e4c08c6fab93
Create Date: 2024-10-14 11:36:50.125897

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "06e2ae8b1db5"
down_revision = "e4c08c6fab93"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table("invoices")
