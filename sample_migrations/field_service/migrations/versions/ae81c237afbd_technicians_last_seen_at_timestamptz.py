"""technicians.last_seen_at: timestamp -> timestamptz

The heartbeat always sent UTC, so the existing values are read as UTC.

Revision ID: ae81c237afbd
Revises: 393bfbda7b62
Create Date: 2025-08-12 14:36:52.870611+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from fieldsvc.db.types import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = 'ae81c237afbd'
down_revision: Union[str, Sequence[str], None] = '393bfbda7b62'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.alter_column('technicians', 'last_seen_at',
               existing_type=sa.DateTime(),
               type_=UTCDateTime(),
               existing_nullable=True,
               postgresql_using="last_seen_at AT TIME ZONE 'UTC'")


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column('technicians', 'last_seen_at',
               existing_type=UTCDateTime(),
               type_=sa.DateTime(),
               existing_nullable=True,
               postgresql_using="last_seen_at AT TIME ZONE 'UTC'")
