"""add plan to users

Revision ID: abf3a52ab2bf
Revises: bf043483b422
Create Date: 2024-02-02 12:15:44.091867

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'abf3a52ab2bf'
down_revision = 'bf043483b422'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'users',
        sa.Column('plan', sa.String(length=32), server_default='free', nullable=False),
    )
    op.create_check_constraint(
        'ck_users_plan',
        'users',
        "plan IN ('free', 'pro', 'team', 'enterprise')",
    )


def downgrade() -> None:
    op.drop_constraint('ck_users_plan', 'users', type_='check')
    op.drop_column('users', 'plan')
