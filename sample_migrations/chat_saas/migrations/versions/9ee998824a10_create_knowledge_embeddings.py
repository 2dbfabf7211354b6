"""create knowledge_embeddings

Revision ID: 9ee998824a10
Revises: 27e79482a03b
Create Date: 2023-10-30 16:40:08.945121

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9ee998824a10'
down_revision = '27e79482a03b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'knowledge_embeddings',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('document_id', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('chunk_index', sa.Integer(), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('token_count', sa.Integer(), nullable=True),
        sa.Column(
            'model',
            sa.String(length=64),
            server_default='text-embedding-ada-002',
            nullable=False,
        ),
        sa.Column(
            'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'document_id', 'chunk_index', name='uq_knowledge_embeddings_document_chunk'
        ),
    )
    op.create_index(
        op.f('ix_knowledge_embeddings_user_id'),
        'knowledge_embeddings',
        ['user_id'],
        unique=False,
    )
    # pgvector column; we don't want the pgvector python package as a
    # dependency of the migrations, so plain SQL it is.
    op.execute("ALTER TABLE knowledge_embeddings ADD COLUMN embedding vector(1536)")


def downgrade():
    op.execute("ALTER TABLE knowledge_embeddings DROP COLUMN embedding")
    op.drop_index(op.f('ix_knowledge_embeddings_user_id'), table_name='knowledge_embeddings')
    op.drop_table('knowledge_embeddings')
