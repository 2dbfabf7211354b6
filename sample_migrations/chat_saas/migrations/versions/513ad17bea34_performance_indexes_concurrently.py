"""performance indexes (concurrently)

Production tables are already big, build the indexes without locking writes.

Revision ID: 513ad17bea34
Revises: 37d4aa9d9474
Create Date: 2023-11-29 19:03:58.417702

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '513ad17bea34'
down_revision = '37d4aa9d9474'
branch_labels = None
depends_on = None


def upgrade():
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction block
    with op.get_context().autocommit_block():
        op.create_index(
            'ix_dialog_messages_dialog_id_created_at',
            'dialog_messages',
            ['dialog_id', 'created_at'],
            unique=False,
            postgresql_concurrently=True,
        )
        op.create_index(
            op.f('ix_users_created_at'),
            'users',
            ['created_at'],
            unique=False,
            postgresql_concurrently=True,
        )
        op.create_index(
            'ix_balance_transactions_user_id_created_at',
            'balance_transactions',
            ['user_id', 'created_at'],
            unique=False,
            postgresql_concurrently=True,
        )


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index(
            'ix_balance_transactions_user_id_created_at',
            table_name='balance_transactions',
            postgresql_concurrently=True,
        )
        op.drop_index(
            op.f('ix_users_created_at'),
            table_name='users',
            postgresql_concurrently=True,
        )
        op.drop_index(
            'ix_dialog_messages_dialog_id_created_at',
            table_name='dialog_messages',
            postgresql_concurrently=True,
        )
