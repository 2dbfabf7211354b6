"""expand: add accounts.email_normalized

First revision of the ``expand`` branch: additive, backwards-compatible
changes that can be deployed before the new application code.

Revision ID: 8c1e5a3f9d74
Revises: 5b3d9f1a7c2e
Create Date: 2024-06-10 10:12:37.405521

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8c1e5a3f9d74"
down_revision = "5b3d9f1a7c2e"
branch_labels = ("expand",)
depends_on = None


def upgrade():
    op.add_column(
        "accounts",
        sa.Column("email_normalized", sa.String(length=255), nullable=True),
    )
    op.create_index(
        "ix_accounts_email_normalized",
        "accounts",
        ["email_normalized"],
        unique=True,
    )


def downgrade():
    op.drop_index("ix_accounts_email_normalized", table_name="accounts")
    op.drop_column("accounts", "email_normalized")
