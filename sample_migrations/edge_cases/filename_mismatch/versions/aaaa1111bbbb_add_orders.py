"""create orders table

The file was renamed by hand; the id in the file name (aaaa1111bbbb)
is not the id the file declares (cccc2222dddd). Alembic only uses the
declared one.

Revision ID: cccc2222dddd
Revises: c24e6f80a135
Create Date: 2025-02-10 14:02:19.660487

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "cccc2222dddd"
down_revision = "c24e6f80a135"
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
