"""create accounts table

Hand-picked revision id ("kilo"): the team once named revisions after
the NATO alphabet.

Revision ID: kilo
Revises:
Create Date: 2022-05-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'kilo'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accounts',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('email', sa.String(255), nullable=False, unique=True),
        sa.Column('display_name', sa.String(120), nullable=True),
    )


def downgrade():
    op.drop_table('accounts')
