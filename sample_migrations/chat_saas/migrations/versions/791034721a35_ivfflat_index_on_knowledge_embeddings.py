"""ivfflat index on knowledge_embeddings

Revision ID: 791034721a35
Revises: 9ee998824a10
Create Date: 2023-11-06 09:14:45.003128

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '791034721a35'
down_revision = '9ee998824a10'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE INDEX ix_knowledge_embeddings_embedding_ivfflat "
        "ON knowledge_embeddings USING ivfflat (embedding vector_cosine_ops) "
        "WITH (lists = 100)"
    )


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_knowledge_embeddings_embedding_ivfflat")
