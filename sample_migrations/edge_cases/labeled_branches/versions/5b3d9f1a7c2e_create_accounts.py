"""create accounts table

Revision ID: 5b3d9f1a7c2e
Revises:
Create Date: 2024-06-03 09:00:00.118734

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b3d9f1a7c2e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("legacy_login", sa.String(length=64), nullable=True),
    )


def downgrade():
    op.drop_table("accounts")
