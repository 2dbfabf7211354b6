"""create orders table

Revision ID: 3a1c7e5b9d42
Revises: 1e9a5c3f7b20
Create Date: 2024-02-26 10:48:21.779043

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3a1c7e5b9d42"
down_revision = "1e9a5c3f7b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade():
    op.drop_table("orders")
