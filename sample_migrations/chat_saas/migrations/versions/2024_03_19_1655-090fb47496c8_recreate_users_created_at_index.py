"""recreate users.created_at index

The new admin dashboard sorts by signup date.

Revision ID: 090fb47496c8
Revises: b09f5720f187
Create Date: 2024-03-19 16:55:21.093482

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '090fb47496c8'
down_revision = 'b09f5720f187'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_users_created_at'), 'users', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_users_created_at'), table_name='users')
