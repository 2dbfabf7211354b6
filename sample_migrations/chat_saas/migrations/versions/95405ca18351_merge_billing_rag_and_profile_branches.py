"""merge billing, rag and profile branches

Revision ID: 95405ca18351
Revises: d58eeb16e15a, 791034721a35, a929600c39d3
Create Date: 2023-11-08 12:00:41.292557

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '95405ca18351'
down_revision = ('d58eeb16e15a', '791034721a35', 'a929600c39d3')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
