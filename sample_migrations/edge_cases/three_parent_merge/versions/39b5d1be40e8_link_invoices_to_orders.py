"""link invoices to orders

Its down_revision names f5d19d7a0ca4 AND 28a4c0ad3fd7, but f5d19d7a0ca4
is already an ancestor of 28a4c0ad3fd7, so the first parent is redundant.

Revision ID: 39b5d1be40e8
Revises: f5d19d7a0ca4, 28a4c0ad3fd7
Create Date: 2024-10-28 15:22:37.604110

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "39b5d1be40e8"
down_revision = ("f5d19d7a0ca4", "28a4c0ad3fd7")
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("invoices", sa.Column("order_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        "fk_invoices_order_id_orders", "invoices", "orders", ["order_id"], ["id"]
    )


def downgrade():
    op.drop_constraint("fk_invoices_order_id_orders", "invoices", type_="foreignkey")
    op.drop_column("invoices", "order_id")
