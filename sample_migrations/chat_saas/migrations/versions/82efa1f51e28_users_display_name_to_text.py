"""users.display_name to text

Some SSO providers send names longer than 100 chars.

Revision ID: 82efa1f51e28
Revises: 95405ca18351
Create Date: 2023-11-14 11:37:02.551920

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '82efa1f51e28'
down_revision = '95405ca18351'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(
        'users',
        'display_name',
        existing_type=sa.String(length=100),
        type_=sa.Text(),
        existing_nullable=True,
    )


def downgrade():
    op.alter_column(
        'users',
        'display_name',
        existing_type=sa.Text(),
        type_=sa.String(length=100),
        existing_nullable=True,
    )
