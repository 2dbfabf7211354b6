"""merge accounts and catalog histories; add order_lines

Revision ID: 4b2d8f6c0e53
Revises: 3a1c7e5b9d42, 2f0b6d4a8c31
Create Date: 2024-03-04 12:00:47.016598

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4b2d8f6c0e53"
down_revision = ("3a1c7e5b9d42", "2f0b6d4a8c31")
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("products.id"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
    )


def downgrade():
    op.drop_table("order_lines")
