"""re-add users.phone

Telegram onboarding needs the phone number after all.

Revision ID: 54cf0de2a21b
Revises: a887cd04c75e
Create Date: 2024-01-09 13:21:04.662873

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '54cf0de2a21b'
down_revision = 'a887cd04c75e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('phone', sa.String(length=32), nullable=True))
    op.add_column(
        'users',
        sa.Column('phone_verified', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column('users', 'phone_verified')
    op.drop_column('users', 'phone')
