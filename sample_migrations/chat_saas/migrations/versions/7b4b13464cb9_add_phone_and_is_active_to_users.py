"""add phone and is_active to users

Revision ID: 7b4b13464cb9
Revises: 67bc8a3c8137
Create Date: 2023-09-20 16:21:48.110592

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b4b13464cb9'
down_revision = '67bc8a3c8137'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('phone', sa.String(length=32), nullable=True))
    op.add_column(
        'users',
        sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade():
    op.drop_column('users', 'is_active')
    op.drop_column('users', 'phone')
