"""enable citext

Revision ID: 5d3a67ce0103
Revises: 
Create Date: 2025-01-13 09:12:41.318204+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5d3a67ce0103'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Technicians log in with their email address, compared without regard
    # to case. (UUIDs come from gen_random_uuid(), built in since
    # PostgreSQL 13, so pgcrypto is not needed.)
    op.execute("CREATE EXTENSION IF NOT EXISTS citext")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP EXTENSION IF EXISTS citext")
