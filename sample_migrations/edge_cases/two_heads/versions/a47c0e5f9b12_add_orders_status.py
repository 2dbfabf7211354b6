"""add status column to orders

Merged from the "order lifecycle" pull request. Branches off
8e2d4b6a1c93, same as c5b81d3e6f27 (invoices), so the history
has two heads after both PRs landed.

Revision ID: a47c0e5f9b12
Revises: 8e2d4b6a1c93
Create Date: 2024-03-01 11:02:57.330218

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a47c0e5f9b12"
down_revision = "8e2d4b6a1c93"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "orders",
        sa.Column(
            "status",
            sa.String(length=20),
            server_default="pending",
            nullable=False,
        ),
    )


def downgrade():
    op.drop_column("orders", "status")
