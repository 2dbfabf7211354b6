"""create query_embeddings_cache

Cache of embeddings for user queries, so identical questions don't hit the
embeddings API twice.

Revision ID: dc0f2cb2a997
Revises: 8cc76ba1008a
Create Date: 2024-01-23 11:08:47.356201

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "dc0f2cb2a997"
down_revision: Union[str, None] = "8cc76ba1008a"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "query_embeddings_cache",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("query_hash", sa.String(length=64), nullable=False, comment="sha256 of model + normalized query"),
        sa.Column("query_text", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("hit_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_query_embeddings_cache_query_hash"),
        "query_embeddings_cache",
        ["query_hash"],
        unique=True,
    )
    op.execute(sa.text("ALTER TABLE query_embeddings_cache ADD COLUMN embedding vector(1536) NOT NULL"))
    op.execute(
        sa.text(
            "CREATE INDEX ix_query_embeddings_cache_embedding_ivfflat "
            "ON query_embeddings_cache USING ivfflat (embedding vector_l2_ops) "
            "WITH (lists = 100)"
        )
    )


def downgrade() -> None:
    op.execute(sa.text("DROP INDEX IF EXISTS ix_query_embeddings_cache_embedding_ivfflat"))
    op.execute(sa.text("ALTER TABLE query_embeddings_cache DROP COLUMN embedding"))
    op.drop_index(op.f("ix_query_embeddings_cache_query_hash"), table_name="query_embeddings_cache")
    op.drop_table("query_embeddings_cache")
