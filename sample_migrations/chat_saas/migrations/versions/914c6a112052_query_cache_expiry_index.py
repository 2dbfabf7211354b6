"""query cache expiry index

Revision ID: 914c6a112052
Revises: e05a7d1d5556
Create Date: 2024-02-08 10:02:55.617330

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "914c6a112052"
down_revision: Union[str, None] = "e05a7d1d5556"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column(
        "query_embeddings_cache",
        sa.Column("last_hit_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        op.f("ix_query_embeddings_cache_expires_at"),
        "query_embeddings_cache",
        ["expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_query_embeddings_cache_expires_at"), table_name="query_embeddings_cache")
    op.drop_column("query_embeddings_cache", "last_hit_at")
