"""rename customers.phone to phone_number

Revision ID: 393bfbda7b62
Revises: 2d010eff11d9
Create Date: 2025-07-22 08:44:16.209553+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '393bfbda7b62'
down_revision: Union[str, Sequence[str], None] = '2d010eff11d9'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.alter_column('customers', 'phone',
               new_column_name='phone_number',
               existing_type=sa.String(length=32),
               existing_nullable=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column('customers', 'phone_number',
               new_column_name='phone',
               existing_type=sa.String(length=32),
               existing_nullable=True)
