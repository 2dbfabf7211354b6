"""users avatar/locale, legacy session table

user_sessions_legacy mirrors the session store of the old PHP panel while we
migrate users over. To be removed once everyone logs in through the new app.

Revision ID: a929600c39d3
Revises: d50ba07bd32
Create Date: 2023-11-01 15:48:11.367652

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a929600c39d3'
down_revision = 'd50ba07bd32'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('avatar_url', sa.String(length=1024), nullable=True))
    op.add_column('users', sa.Column('locale', sa.String(length=10), nullable=True))

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


def downgrade():
    op.drop_table('user_sessions_legacy')
    op.drop_column('users', 'locale')
    op.drop_column('users', 'avatar_url')
