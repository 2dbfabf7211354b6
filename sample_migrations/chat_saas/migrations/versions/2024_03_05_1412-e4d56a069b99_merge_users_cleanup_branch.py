"""merge users cleanup branch

Revision ID: e4d56a069b99
Revises: 689aeeee72a9, b253dee72940
Create Date: 2024-03-05 14:12:07.845193

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4d56a069b99'
down_revision = ('689aeeee72a9', 'b253dee72940')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
