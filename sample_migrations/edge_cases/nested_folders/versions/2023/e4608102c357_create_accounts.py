"""create accounts table

Revision ID: e4608102c357
Revises:
Create Date: 2023-03-06 09:14:37.502981

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4608102c357"
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
