"""users two-factor auth

Revision ID: 887f47ceb6f
Revises: 9ef3dc485e74
Create Date: 2024-04-08 11:06:14.820559

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '887f47ceb6f'
down_revision = '9ef3dc485e74'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('twofa_secret', sa.String(length=64), nullable=True))
    op.add_column(
        'users',
        sa.Column('twofa_enabled', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column('users', 'twofa_enabled')
    op.drop_column('users', 'twofa_secret')
