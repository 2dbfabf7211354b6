"""add users.last_seen_at and an index on queries.updated_at

Revision ID: 6a1f3c85e2b0
Revises: 0d4b7e21c9a3
Create Date: 2021-05-17 14:03:22.540911

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6a1f3c85e2b0"
down_revision = "0d4b7e21c9a3"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "users", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_queries_updated_at", "queries", ["updated_at"])


def downgrade():
    op.drop_index("ix_queries_updated_at", table_name="queries")
    op.drop_column("users", "last_seen_at")
