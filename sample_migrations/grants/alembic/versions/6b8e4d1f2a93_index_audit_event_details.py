"""index audit event details

Revision ID: 6b8e4d1f2a93
Revises: f3a6d9c0b7e8
Create Date: 2025-02-18 10:47:05.592631

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b8e4d1f2a93'
down_revision = 'f3a6d9c0b7e8'
branch_labels = None
depends_on = None


def upgrade():
    # Indexes created on a partitioned table cascade to every partition.
    op.create_index(
        'ix_audit_events_details',
        'audit_events',
        ['details'],
        postgresql_using='gin',
    )
    op.create_index(
        'ix_audit_events_entity',
        'audit_events',
        ['entity_type', 'entity_id', 'occurred_at'],
    )
    op.execute(
        sa.text(
            "COMMENT ON TABLE audit_events IS "
            "'Append-only log of domain events, range-partitioned by month on occurred_at'"
        )
    )


def downgrade():
    op.execute(sa.text("COMMENT ON TABLE audit_events IS NULL"))
    op.drop_index('ix_audit_events_entity', table_name='audit_events')
    op.drop_index('ix_audit_events_details', table_name='audit_events')
