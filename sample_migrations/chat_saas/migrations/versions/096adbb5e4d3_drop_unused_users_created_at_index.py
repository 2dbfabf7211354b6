"""drop unused users.created_at index

pg_stat_user_indexes shows zero scans in the last 30 days.

Revision ID: 096adbb5e4d3
Revises: 13aeafa9b07f
Create Date: 2024-02-19 13:47:50.228316

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '096adbb5e4d3'
down_revision = '13aeafa9b07f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            op.f('ix_users_created_at'),
            table_name='users',
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index(
            op.f('ix_users_created_at'),
            'users',
            ['created_at'],
            unique=False,
            postgresql_concurrently=True,
        )
