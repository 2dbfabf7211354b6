"""add status to invoices

Revision ID: 1793b43506a8
Revises: 0682a324e579
Create Date: 2024-03-11 13:08:22.415590

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1793b43506a8"
down_revision = "0682a324e579"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "invoices",
        sa.Column("status", sa.String(length=16), server_default="draft", nullable=False),
    )


def downgrade():
    op.drop_column("invoices", "status")
