"""create orders table

Originally revised 4a8e2c6f0b19; a bad rebase pointed it at
f08c4e2a6d71 instead, closing a loop d3f7a1c9e5b2 -> e6b0c8f2a4d3 ->
f08c4e2a6d71 -> d3f7a1c9e5b2.

Revision ID: d3f7a1c9e5b2
Revises: f08c4e2a6d71
Create Date: 2024-05-13 10:30:41.552117

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d3f7a1c9e5b2"
down_revision = "f08c4e2a6d71"
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
