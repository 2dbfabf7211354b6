"""add paid_at to invoices

Revision ID: f08c4e2a6d71
Revises: e6b0c8f2a4d3
Create Date: 2024-05-27 09:59:03.648820

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f08c4e2a6d71"
down_revision = "e6b0c8f2a4d3"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("invoices", sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("invoices", "paid_at")
