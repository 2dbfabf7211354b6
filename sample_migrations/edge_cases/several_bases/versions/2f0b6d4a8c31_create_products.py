"""create products table

Root of the "catalog" history, which started life in a separate
service and was imported without a parent. No branch label.

Revision ID: 2f0b6d4a8c31
Revises:
Create Date: 2024-02-20 13:10:55.302117

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2f0b6d4a8c31"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sku", sa.String(length=40), nullable=False, unique=True),
        sa.Column("price_cents", sa.Integer(), nullable=False),
    )


def downgrade():
    op.drop_table("products")
