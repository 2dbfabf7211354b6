"""rename display_name back to full_name

The mobile clients and the billing exports still expect full_name.

Revision ID: c98bb3c3f5fa
Revises: 8cc76ba1008a
Create Date: 2024-01-22 10:31:16.207759

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c98bb3c3f5fa'
down_revision = '8cc76ba1008a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        'users',
        'display_name',
        new_column_name='full_name',
        existing_type=sa.Text(),
        existing_nullable=True,
    )


def downgrade() -> None:
    op.alter_column(
        'users',
        'full_name',
        new_column_name='display_name',
        existing_type=sa.Text(),
        existing_nullable=True,
    )
