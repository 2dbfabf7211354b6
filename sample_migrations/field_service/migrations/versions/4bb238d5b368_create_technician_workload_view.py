"""create technician_workload view

Revision ID: 4bb238d5b368
Revises: 1471ba6cfdfd
Create Date: 2025-03-18 12:09:36.811574+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '4bb238d5b368'
down_revision: Union[str, Sequence[str], None] = '1471ba6cfdfd'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
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


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP VIEW technician_workload")
