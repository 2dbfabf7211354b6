"""partial index on submitted applications

Revision ID: e2b95f4a16c0
Revises: 71d3b0e9c8a6
Create Date: 2025-02-03 08:41:26.930118

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2b95f4a16c0'
down_revision = '71d3b0e9c8a6'
branch_labels = None
depends_on = None


def upgrade():
    # Most rows are drafts that never get submitted; the reviewer queue only
    # ever looks at submitted ones, ordered by submission time.
    op.create_index(
        'ix_applications_programme_submitted_at',
        'applications',
        ['programme_id', 'submitted_at'],
        postgresql_where=sa.text('submitted_at IS NOT NULL'),
    )


def downgrade():
    op.drop_index('ix_applications_programme_submitted_at', table_name='applications')
