"""create accounts table

Revision ID: c24e6f80a135
Revises:
Create Date: 2025-02-03 09:26:41.085320

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c24e6f80a135"
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
