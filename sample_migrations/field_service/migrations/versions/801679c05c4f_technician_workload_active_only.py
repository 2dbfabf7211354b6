"""technician_workload: active technicians only

Same columns as before, so CREATE OR REPLACE VIEW works in both directions.

Revision ID: 801679c05c4f
Revises: 74e138a9b7b0
Create Date: 2025-10-14 09:58:03.224781+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '801679c05c4f'
down_revision: Union[str, Sequence[str], None] = '74e138a9b7b0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute(
        """
        CREATE OR REPLACE VIEW technician_workload AS
        SELECT t.id AS technician_id,
               t.full_name,
               count(j.id) AS open_jobs,
               min(j.scheduled_start) AS next_job_start
        FROM technicians t
        LEFT JOIN jobs j
               ON j.assigned_technician_id = t.id
              AND j.actual_end IS NULL
        WHERE t.active
        GROUP BY t.id, t.full_name
        """
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute(
        """
        CREATE OR REPLACE VIEW technician_workload AS
        SELECT t.id AS technician_id,
               t.full_name,
               count(j.id) AS open_jobs,
               min(j.scheduled_start) AS next_job_start
        FROM technicians t
        LEFT JOIN jobs j
               ON j.assigned_technician_id = t.id
              AND j.actual_end IS NULL
        GROUP BY t.id, t.full_name
        """
    )
