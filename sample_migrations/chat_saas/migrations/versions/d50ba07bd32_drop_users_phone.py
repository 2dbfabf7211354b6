"""drop users.phone

Phone login was never shipped, remove the column.

Revision ID: d50ba07bd32
Revises: f247dedc0925
Create Date: 2023-10-23 10:19:50.824461

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd50ba07bd32'
down_revision = 'f247dedc0925'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column('users', 'phone')


def downgrade():
    op.add_column('users', sa.Column('phone', sa.String(length=32), nullable=True))
