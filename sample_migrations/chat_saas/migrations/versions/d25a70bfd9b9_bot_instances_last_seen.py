"""bot_instances last_seen

Revision ID: d25a70bfd9b9
Revises: 370ef4438a
Create Date: 2024-04-15 09:51:32.408763

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd25a70bfd9b9'
down_revision = '370ef4438a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'bot_instances',
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        'ux_bot_instances_platform_external_bot_id',
        'bot_instances',
        ['platform', 'external_bot_id'],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index('ux_bot_instances_platform_external_bot_id', table_name='bot_instances')
    op.drop_column('bot_instances', 'last_seen_at')
