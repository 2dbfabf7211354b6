"""add audit_events partitions for 2025 H2

Revision ID: 6f1a0e8c4d39
Revises: b0d7f3a9c612
Create Date: 2025-04-22 09:30:12.275481

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "6f1a0e8c4d39"
down_revision: Union[str, None] = "b0d7f3a9c612"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


MONTHS = [
    ("2025_07", "2025-07-01", "2025-08-01"),
    ("2025_08", "2025-08-01", "2025-09-01"),
    ("2025_09", "2025-09-01", "2025-10-01"),
    ("2025_10", "2025-10-01", "2025-11-01"),
    ("2025_11", "2025-11-01", "2025-12-01"),
    ("2025_12", "2025-12-01", "2026-01-01"),
]
RANGE_START = MONTHS[0][1]
RANGE_END = MONTHS[-1][2]


def upgrade() -> None:
    # A new partition cannot be created while the default partition holds
    # rows for its range. Detach the default, create the new partitions, move
    # any stray rows across, then re-attach the default.
    op.execute("ALTER TABLE audit_events DETACH PARTITION audit_events_default")
    for suffix, start, end in MONTHS:
        op.execute(
            f"CREATE TABLE audit_events_{suffix} PARTITION OF audit_events "
            f"FOR VALUES FROM ('{start}') TO ('{end}')"
        )
    op.execute(
        f"""
        WITH moved AS (
            DELETE FROM audit_events_default
            WHERE occurred_at >= '{RANGE_START}' AND occurred_at < '{RANGE_END}'
            RETURNING *
        )
        INSERT INTO audit_events SELECT * FROM moved
        """
    )
    op.execute("ALTER TABLE audit_events ATTACH PARTITION audit_events_default DEFAULT")


def downgrade() -> None:
    # Keep the data: detach each monthly partition, route its rows back
    # through the parent (they land in the default partition), then drop it.
    for suffix, _start, _end in reversed(MONTHS):
        op.execute(f"ALTER TABLE audit_events DETACH PARTITION audit_events_{suffix}")
        op.execute(f"INSERT INTO audit_events SELECT * FROM audit_events_{suffix}")
        op.execute(f"DROP TABLE audit_events_{suffix}")
