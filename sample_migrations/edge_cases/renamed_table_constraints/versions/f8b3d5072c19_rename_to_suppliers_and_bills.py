"""rename vendors to suppliers and invoices to bills

PostgreSQL keeps the names it gave the unnamed constraints (vendors_pkey,
invoices_check1, ...) and the sequences of the SERIAL columns.

Revision ID: f8b3d5072c19
Revises: e7a2c4f61b08
Create Date: 2025-11-14 17:02:44.981120

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f8b3d5072c19"
down_revision = "e7a2c4f61b08"
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("vendors", "suppliers")
    op.rename_table("invoices", "bills")


def downgrade():
    op.rename_table("bills", "invoices")
    op.rename_table("suppliers", "vendors")
