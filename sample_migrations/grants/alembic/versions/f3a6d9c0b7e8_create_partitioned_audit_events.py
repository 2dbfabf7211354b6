"""create partitioned audit_events

Revision ID: f3a6d9c0b7e8
Revises: e2b95f4a16c0
Create Date: 2025-02-12 12:09:33.158470

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "f3a6d9c0b7e8"
down_revision: Union[str, None] = "e2b95f4a16c0"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# First half of 2025; the second half is added in 6f1a0e8c4d39.
MONTHS = [
    ("2025_01", "2025-01-01", "2025-02-01"),
    ("2025_02", "2025-02-01", "2025-03-01"),
    ("2025_03", "2025-03-01", "2025-04-01"),
    ("2025_04", "2025-04-01", "2025-05-01"),
    ("2025_05", "2025-05-01", "2025-06-01"),
    ("2025_06", "2025-06-01", "2025-07-01"),
]


def upgrade() -> None:
    # Declarative partitioning is not expressible through op.create_table, so
    # the parent table is created with raw SQL. The partition key has to be
    # part of the primary key.
    op.execute(
        """
        CREATE TABLE audit_events (
            id          bigserial   NOT NULL,
            occurred_at timestamptz NOT NULL DEFAULT now(),
            actor_id    bigint,
            entity_type text        NOT NULL,
            entity_id   bigint,
            action      text        NOT NULL,
            details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
            CONSTRAINT pk_audit_events PRIMARY KEY (id, occurred_at),
            CONSTRAINT ck_audit_events_action_not_blank CHECK (btrim(action) <> '')
        ) PARTITION BY RANGE (occurred_at)
        """
    )
    for suffix, start, end in MONTHS:
        op.execute(
            f"CREATE TABLE audit_events_{suffix} PARTITION OF audit_events "
            f"FOR VALUES FROM ('{start}') TO ('{end}')"
        )
    # Catch-all so inserts never fail when the monthly job is late.
    op.execute("CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT")


def downgrade() -> None:
    # Dropping the parent drops every attached partition as well; the
    # partitions are dropped explicitly first to keep the intent obvious.
    op.execute("DROP TABLE audit_events_default")
    for suffix, _start, _end in reversed(MONTHS):
        op.execute(f"DROP TABLE audit_events_{suffix}")
    op.execute("DROP TABLE audit_events")
