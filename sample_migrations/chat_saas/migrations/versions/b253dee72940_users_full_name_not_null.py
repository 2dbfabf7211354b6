"""users.full_name not null

Revision ID: b253dee72940
Revises: df1d58fa66eb
Create Date: 2024-02-20 09:26:41.145880

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b253dee72940'
down_revision = 'df1d58fa66eb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE users SET full_name = split_part(email, '@', 1) WHERE full_name IS NULL")
    op.alter_column(
        'users',
        'full_name',
        existing_type=sa.String(length=100),
        nullable=False,
    )


def downgrade() -> None:
    op.alter_column(
        'users',
        'full_name',
        existing_type=sa.String(length=100),
        nullable=True,
    )
