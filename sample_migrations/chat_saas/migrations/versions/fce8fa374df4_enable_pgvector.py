"""enable pgvector

Revision ID: fce8fa374df4
Revises: 43ed0096facf
Create Date: 2023-10-18 11:30:14.662950

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fce8fa374df4'
down_revision = '43ed0096facf'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")


def downgrade():
    op.execute("DROP EXTENSION IF EXISTS vector")
