"""expand: create orders table

Revision ID: 9d2f6b4a0e85
Revises: 8c1e5a3f9d74
Create Date: 2024-06-17 15:44:08.993612

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d2f6b4a0e85"
down_revision = "8c1e5a3f9d74"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table("orders")
