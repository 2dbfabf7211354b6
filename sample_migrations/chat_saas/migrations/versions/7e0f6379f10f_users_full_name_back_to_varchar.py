"""users.full_name back to varchar(100)

Revision ID: 7e0f6379f10f
Revises: c98bb3c3f5fa
Create Date: 2024-01-30 16:54:38.553012

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e0f6379f10f'
down_revision = 'c98bb3c3f5fa'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE users SET full_name = left(full_name, 100) WHERE length(full_name) > 100")
    op.alter_column(
        'users',
        'full_name',
        existing_type=sa.Text(),
        type_=sa.String(length=100),
        existing_nullable=True,
    )


def downgrade() -> None:
    op.alter_column(
        'users',
        'full_name',
        existing_type=sa.String(length=100),
        type_=sa.Text(),
        existing_nullable=True,
    )
