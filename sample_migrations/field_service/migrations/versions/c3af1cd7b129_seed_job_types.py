"""seed job types

Reference rows every tenant starts with. Tenants may add their own later;
the downgrade removes only the rows inserted here.

Revision ID: c3af1cd7b129
Revises: 6222e0ae459b
Create Date: 2025-01-28 16:21:44.730915+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c3af1cd7b129'
down_revision: Union[str, Sequence[str], None] = '6222e0ae459b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# A lightweight table object: only the columns the seed needs, frozen at the
# shape the table has at this revision (the id is GENERATED ALWAYS).
job_types = sa.table(
    'job_types',
    sa.column('code', sa.String),
    sa.column('name', sa.String),
    sa.column('default_duration_minutes', sa.Integer),
    sa.column('requires_certification', sa.Boolean),
)

SEED_ROWS = [
    {'code': 'install', 'name': 'Installation', 'default_duration_minutes': 180, 'requires_certification': True},
    {'code': 'repair', 'name': 'Repair', 'default_duration_minutes': 90, 'requires_certification': False},
    {'code': 'maintenance', 'name': 'Scheduled maintenance', 'default_duration_minutes': 60, 'requires_certification': False},
    {'code': 'inspection', 'name': 'Safety inspection', 'default_duration_minutes': 45, 'requires_certification': True},
    {'code': 'emergency', 'name': 'Emergency call-out', 'default_duration_minutes': 120, 'requires_certification': False},
]


def upgrade() -> None:
    """Upgrade schema."""
    op.bulk_insert(job_types, SEED_ROWS)


def downgrade() -> None:
    """Downgrade schema."""
    op.execute(
        job_types.delete().where(
            job_types.c.code.in_([row['code'] for row in SEED_ROWS])
        )
    )
