"""updated_at columns and dialog archiving

Revision ID: 689aeeee72a9
Revises: 096adbb5e4d3
Create Date: 2024-02-27 11:29:13.508841

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '689aeeee72a9'
down_revision = '096adbb5e4d3'
branch_labels = None
depends_on = None


def _add_timestamps(table):
    op.add_column(
        table,
        sa.Column(
            'updated_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
        ),
    )


def _drop_timestamps(table):
    op.drop_column(table, 'updated_at')


def upgrade() -> None:
    _add_timestamps('users')
    _add_timestamps('assistants')
    _add_timestamps('dialogs')
    _add_timestamps('documents')

    op.add_column('dialogs', sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('dialog_messages', sa.Column('token_count', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('dialog_messages', 'token_count')
    op.drop_column('dialogs', 'archived_at')

    _drop_timestamps('documents')
    _drop_timestamps('dialogs')
    _drop_timestamps('assistants')
    _drop_timestamps('users')
