"""technician_workload: add next_job_start

CREATE OR REPLACE VIEW may only append columns, so the downgrade has to drop
the view and create the previous definition again.

Revision ID: 9226bd1635d0
Revises: df345a29ec6f
Create Date: 2025-05-20 13:55:10.045187+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '9226bd1635d0'
down_revision: Union[str, Sequence[str], None] = 'df345a29ec6f'
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
        GROUP BY t.id, t.full_name
        """
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP VIEW technician_workload")
    op.execute(
        """
        CREATE VIEW technician_workload AS
        SELECT t.id AS technician_id,
               t.full_name,
               count(j.id) AS open_jobs
        FROM technicians t
        LEFT JOIN jobs j
               ON j.assigned_technician_id = t.id
              AND j.actual_end IS NULL
        GROUP BY t.id, t.full_name
        """
    )
