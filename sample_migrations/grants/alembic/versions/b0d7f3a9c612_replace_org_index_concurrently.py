"""replace applications organisation index concurrently

Revision ID: b0d7f3a9c612
Revises: 9e3c6a2d8b51
Create Date: 2025-04-15 07:52:31.940265

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b0d7f3a9c612'
down_revision = '9e3c6a2d8b51'
branch_labels = None
depends_on = None


def upgrade():
    # applications is busy in production: build the composite index and drop
    # the now-redundant single-column one without taking write locks.
    # CONCURRENTLY cannot run inside a transaction block.
    with op.get_context().autocommit_block():
        op.create_index(
            'ix_applications_organisation_id_status',
            'applications',
            ['organisation_id', 'status'],
            postgresql_concurrently=True,
        )
        op.execute('DROP INDEX CONCURRENTLY IF EXISTS ix_applications_organisation_id')


def downgrade():
    with op.get_context().autocommit_block():
        op.execute(
            'CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_applications_organisation_id '
            'ON applications (organisation_id)'
        )
        op.drop_index(
            'ix_applications_organisation_id_status',
            table_name='applications',
            postgresql_concurrently=True,
        )
