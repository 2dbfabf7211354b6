"""expand: add accounts.phone

The branch label comes from the project's own tooling module instead of
a string literal: only running the file tells its value.

Revision ID: a02c4d6e8f13
Revises: 9f1b3c5d7e02
Create Date: 2025-01-13 11:47:20.913654

"""
import migration_cli as cli
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a02c4d6e8f13"
down_revision = "9f1b3c5d7e02"
branch_labels = (cli.EXPAND_BRANCH,)
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("phone", sa.String(length=32), nullable=True))


def downgrade():
    op.drop_column("accounts", "phone")
