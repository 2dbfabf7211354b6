"""create documents

Revision ID: 27e79482a03b
Revises: fce8fa374df4
Create Date: 2023-10-24 14:55:37.213409

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '27e79482a03b'
down_revision = 'fce8fa374df4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'documents',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('mime_type', sa.String(length=127), nullable=True),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('storage_key', sa.String(length=512), nullable=False),
        sa.Column('status', sa.String(length=20), server_default='uploaded', nullable=False),
        sa.Column(
            'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_documents_user_id'), 'documents', ['user_id'], unique=False)

    # per-user upload quota, in megabytes
    op.add_column(
        'users',
        sa.Column('storage_quota_mb', sa.Integer(), server_default='100', nullable=False),
    )


def downgrade():
    op.drop_column('users', 'storage_quota_mb')
    op.drop_index(op.f('ix_documents_user_id'), table_name='documents')
    op.drop_table('documents')
