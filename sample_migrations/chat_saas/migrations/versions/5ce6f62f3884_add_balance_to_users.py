"""add balance to users

Revision ID: 5ce6f62f3884
Revises: 288f4b78a6
Create Date: 2023-10-25 17:09:26.518804

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ce6f62f3884'
down_revision = '288f4b78a6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'users',
        sa.Column(
            'balance',
            sa.Numeric(precision=12, scale=4),
            server_default='0',
            nullable=False,
        ),
    )
    op.create_check_constraint('ck_users_balance_non_negative', 'users', 'balance >= 0')


def downgrade():
    op.drop_constraint('ck_users_balance_non_negative', 'users', type_='check')
    op.drop_column('users', 'balance')
