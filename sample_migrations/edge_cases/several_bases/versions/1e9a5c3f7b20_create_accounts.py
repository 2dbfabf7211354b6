"""create accounts table

Root of the "accounts" history.

Revision ID: 1e9a5c3f7b20
Revises:
Create Date: 2024-02-19 09:33:08.441250

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1e9a5c3f7b20"
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
