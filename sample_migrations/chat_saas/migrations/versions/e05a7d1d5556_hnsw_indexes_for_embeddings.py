"""hnsw indexes for embeddings

pgvector 0.5 supports HNSW; recall on ivfflat with lists=100 was poor for
small tenants. The cache ivfflat index is superseded by the hnsw one.

Revision ID: e05a7d1d5556
Revises: dc0f2cb2a997
Create Date: 2024-02-01 17:33:12.840095

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e05a7d1d5556'
down_revision = 'dc0f2cb2a997'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_knowledge_embeddings_embedding_hnsw "
        "ON knowledge_embeddings USING hnsw (embedding vector_cosine_ops)"
    )
    op.execute("DROP INDEX IF EXISTS ix_query_embeddings_cache_embedding_ivfflat")
    op.execute(
        "CREATE INDEX ix_query_embeddings_cache_embedding_hnsw "
        "ON query_embeddings_cache USING hnsw (embedding vector_cosine_ops) "
        "WITH (m = 16, ef_construction = 64)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_query_embeddings_cache_embedding_hnsw")
    op.execute(
        "CREATE INDEX ix_query_embeddings_cache_embedding_ivfflat "
        "ON query_embeddings_cache USING ivfflat (embedding vector_l2_ops) "
        "WITH (lists = 100)"
    )
    op.execute("DROP INDEX IF EXISTS ix_knowledge_embeddings_embedding_hnsw")
