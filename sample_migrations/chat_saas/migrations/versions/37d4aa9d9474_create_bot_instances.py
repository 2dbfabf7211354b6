"""create bot_instances

Revision ID: 37d4aa9d9474
Revises: 95405ca18351
Create Date: 2023-11-21 14:26:19.874310

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '37d4aa9d9474'
down_revision = '82efa1f51e28'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bot_instances',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('assistant_id', sa.BigInteger(), nullable=False),
        sa.Column('owner_id', sa.BigInteger(), nullable=False),
        sa.Column('platform', sa.String(length=32), nullable=False),
        sa.Column('external_bot_id', sa.String(length=128), nullable=True),
        sa.Column('token_encrypted', sa.Text(), nullable=True),
        sa.Column('webhook_url', sa.String(length=1024), nullable=True),
        sa.Column('is_enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(['assistant_id'], ['assistants.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_bot_instances_owner_id'), 'bot_instances', ['owner_id'], unique=False)
    op.create_index(
        op.f('ix_bot_instances_assistant_id'), 'bot_instances', ['assistant_id'], unique=False
    )
    op.create_check_constraint(
        'ck_bot_instances_platform',
        'bot_instances',
        "platform IN ('telegram', 'slack', 'discord', 'web')",
    )


def downgrade():
    op.drop_constraint('ck_bot_instances_platform', 'bot_instances', type_='check')
    op.drop_index(op.f('ix_bot_instances_assistant_id'), table_name='bot_instances')
    op.drop_index(op.f('ix_bot_instances_owner_id'), table_name='bot_instances')
    op.drop_table('bot_instances')
