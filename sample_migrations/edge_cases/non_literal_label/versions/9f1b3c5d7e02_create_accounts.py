"""create accounts table

Revision ID: 9f1b3c5d7e02
Revises:
Create Date: 2025-01-06 09:03:55.208117

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9f1b3c5d7e02"
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
