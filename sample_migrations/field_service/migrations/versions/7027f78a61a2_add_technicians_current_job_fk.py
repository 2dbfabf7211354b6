"""add technicians.current_job_id foreign key

jobs.assigned_technician_id already points at technicians, so this closes a
cycle: neither table can be created with both foreign keys inline.

Revision ID: 7027f78a61a2
Revises: 26691e4e36c3
Create Date: 2025-02-19 09:02:50.227710+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '7027f78a61a2'
down_revision: Union[str, Sequence[str], None] = '26691e4e36c3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_foreign_key(
        op.f('fk_technicians_current_job_id_jobs'),
        'technicians',
        'jobs',
        ['current_job_id'],
        ['id'],
        ondelete='SET NULL',
    )
    op.create_index(op.f('ix_technicians_current_job_id'), 'technicians', ['current_job_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_technicians_current_job_id'), table_name='technicians')
    op.drop_constraint(op.f('fk_technicians_current_job_id_jobs'), 'technicians', type_='foreignkey')
