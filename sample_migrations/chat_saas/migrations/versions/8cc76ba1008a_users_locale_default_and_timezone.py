"""users locale default and timezone

Revision ID: 8cc76ba1008a
Revises: 54cf0de2a21b
Create Date: 2024-01-16 09:44:30.019482

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8cc76ba1008a'
down_revision = '54cf0de2a21b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE users SET locale = 'en' WHERE locale IS NULL")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column(
            'locale',
            existing_type=sa.String(length=10),
            nullable=False,
            server_default='en',
        )
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('timezone')
        batch_op.alter_column(
            'locale',
            existing_type=sa.String(length=10),
            nullable=True,
            server_default=None,
        )
