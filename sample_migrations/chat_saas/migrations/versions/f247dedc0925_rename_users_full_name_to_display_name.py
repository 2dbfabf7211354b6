"""rename users.full_name to display_name

Revision ID: f247dedc0925
Revises: 43ed0096facf
Create Date: 2023-10-16 18:02:33.570194

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f247dedc0925'
down_revision = '43ed0096facf'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(
        'users',
        'full_name',
        new_column_name='display_name',
        existing_type=sa.String(length=100),
        existing_nullable=True,
    )


def downgrade():
    op.alter_column(
        'users',
        'display_name',
        new_column_name='full_name',
        existing_type=sa.String(length=100),
        existing_nullable=True,
    )
