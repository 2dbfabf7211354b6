"""merge orders, invoices and payment_methods branches

Revision ID: 28a4c0ad3fd7
Revises: f5d19d7a0ca4, 06e2ae8b1db5, 17f3bf9c2ec6
Create Date: 2024-10-21 12:00:00.941276

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "28a4c0ad3fd7"
down_revision = ("f5d19d7a0ca4", "06e2ae8b1db5", "17f3bf9c2ec6")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
