"""create application attachments

Revision ID: d2e7b4f9a085
Revises: 6f1a0e8c4d39
Create Date: 2025-05-06 14:03:48.512739

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'd2e7b4f9a085'
down_revision = '6f1a0e8c4d39'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'application_attachments',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('application_id', sa.BigInteger(), nullable=False),
        sa.Column('uploaded_by', sa.BigInteger(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=127), server_default='application/octet-stream', nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('storage_key', sa.String(length=512), nullable=False),
        sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_application_attachments'),
        sa.ForeignKeyConstraint(
            ['application_id'],
            ['applications.id'],
            name='fk_application_attachments_application_id_applications',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['uploaded_by'],
            ['users.id'],
            name='fk_application_attachments_uploaded_by_users',
            ondelete='SET NULL',
        ),
        sa.UniqueConstraint('storage_key', name='uq_application_attachments_storage_key'),
        sa.CheckConstraint('size_bytes > 0 AND size_bytes <= 52428800', name='ck_application_attachments_size'),
    )
    # Soft-deleted files may share a name with their replacement.
    op.create_index(
        'uq_application_attachments_live_filename',
        'application_attachments',
        ['application_id', 'filename'],
        unique=True,
        postgresql_where=sa.text('deleted_at IS NULL'),
    )
    op.create_index(
        'ix_application_attachments_metadata',
        'application_attachments',
        ['metadata'],
        postgresql_using='gin',
        postgresql_ops={'metadata': 'jsonb_path_ops'},
    )


def downgrade():
    op.drop_index('ix_application_attachments_metadata', table_name='application_attachments')
    op.drop_index('uq_application_attachments_live_filename', table_name='application_attachments')
    op.drop_table('application_attachments')
