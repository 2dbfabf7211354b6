"""drop user_sessions_legacy

The old panel is gone.

Revision ID: df1d58fa66eb
Revises: 7e0f6379f10f
Create Date: 2024-02-06 11:11:03.980225

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'df1d58fa66eb'
down_revision = '7e0f6379f10f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('user_sessions_legacy')


def downgrade() -> None:
    op.create_table(
        'user_sessions_legacy',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('session_token', sa.String(length=128), nullable=False),
        sa.Column('user_agent', sa.String(length=512), nullable=True),
        sa.Column('ip_address', sa.String(length=45), nullable=True),
        sa.Column(
            'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_token', name='uq_user_sessions_legacy_session_token'),
    )
