"""create payment_methods table (branch 3 of 3)

Revision ID: 17f3bf9c2ec6
Revises: e4c08c6fab93
Create Date: 2024-10-15 08:49:03.558164

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "17f3bf9c2ec6"
down_revision = "e4c08c6fab93"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payment_methods",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=True),
    )


def downgrade():
    op.drop_table("payment_methods")
