"""add default currency to accounts

The id below was copied by hand from another file and collides with
7f3b0d5c8a14_create_orders.py.

Revision ID: 7f3b0d5c8a14
Revises: 2c6a9e1f4b83
Create Date: 2024-04-10 11:56:02.407139

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7f3b0d5c8a14"
down_revision = "2c6a9e1f4b83"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "accounts",
        sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False),
    )


def downgrade():
    op.drop_column("accounts", "currency")
