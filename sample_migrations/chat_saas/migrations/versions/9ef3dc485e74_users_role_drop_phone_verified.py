"""users role, drop phone_verified

Phone verification moved to the identity provider.

Revision ID: 9ef3dc485e74
Revises: 090fb47496c8
Create Date: 2024-03-28 12:38:59.317026

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9ef3dc485e74'
down_revision = '090fb47496c8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'users',
        sa.Column('role', sa.String(length=20), server_default='member', nullable=False),
    )
    op.create_check_constraint(
        'ck_users_role',
        'users',
        "role IN ('member', 'support', 'admin')",
    )
    op.create_index(op.f('ix_users_role'), 'users', ['role'], unique=False)
    op.drop_column('users', 'phone_verified')


def downgrade() -> None:
    op.add_column(
        'users',
        sa.Column('phone_verified', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.drop_index(op.f('ix_users_role'), table_name='users')
    op.drop_constraint('ck_users_role', 'users', type_='check')
    op.drop_column('users', 'role')
