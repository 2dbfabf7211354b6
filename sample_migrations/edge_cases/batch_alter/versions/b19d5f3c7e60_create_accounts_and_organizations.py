"""create organizations and accounts tables

Revision ID: b19d5f3c7e60
Revises:
Create Date: 2024-09-09 09:40:26.882310

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b19d5f3c7e60"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=120), nullable=False),
        sa.Column("nickname", sa.String(length=50), nullable=True),
    )


def downgrade():
    op.drop_table("accounts")
    op.drop_table("organizations")
