"""unique index on users.email

Login lookups were slow in staging, add an index on email.

Revision ID: 91d909a479bd
Revises: f3f84534f1e2
Create Date: 2023-10-03 09:58:12.004873

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '91d909a479bd'
down_revision = 'f3f84534f1e2'
branch_labels = None
depends_on = None


def upgrade():
    # NB: uq_users_email already exists, this index duplicates it.
    op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_users_email'), table_name='users')
