"""create accounts table

Revision ID: 5a6b7c8d9e0f
Revises:
Create Date: 2025-03-03 09:12:30.774801

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5a6b7c8d9e0f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=255), nullable=False, unique=True),
    )


def downgrade():
    op.drop_table("accounts")
