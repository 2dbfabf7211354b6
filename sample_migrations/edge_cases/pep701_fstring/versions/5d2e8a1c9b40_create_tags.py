"""create tags

Revision ID: 5d2e8a1c9b40
Revises:
Create Date: 2025-03-02 09:12:44.118203

"""
import sqlalchemy as sa
from alembic import op

revision = "5d2e8a1c9b40"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=64), nullable=False, unique=True),
    )


def downgrade():
    op.drop_table("tags")
