"""merge billing and dispatch

Revision ID: 34e5d9b585f5
Revises: d58c985c2261, 8255a0f5bb00
Create Date: 2025-04-22 11:30:04.776912+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '34e5d9b585f5'
down_revision: Union[str, Sequence[str], None] = ('d58c985c2261', '8255a0f5bb00')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
