"""create invoices table

Revision ID: 0682a324e579
Revises: f5719213d468
Create Date: 2024-01-22 10:31:49.870146

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0682a324e579"
down_revision = "f5719213d468"
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
