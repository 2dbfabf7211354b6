"""drop users.locale

Locale is now taken from the browser / Telegram client on every request.

Revision ID: 625ebd532f1e
Revises: 887f47ceb6f
Create Date: 2024-04-18 10:23:45.117380

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '625ebd532f1e'
down_revision = '887f47ceb6f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column('users', 'locale')


def downgrade() -> None:
    op.add_column(
        'users',
        sa.Column('locale', sa.String(length=10), server_default='en', nullable=False),
    )
