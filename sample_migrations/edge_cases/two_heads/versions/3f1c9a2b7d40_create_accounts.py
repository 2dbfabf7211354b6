"""create accounts table

Revision ID: 3f1c9a2b7d40
Revises:
Create Date: 2024-02-05 09:14:22.511803

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3f1c9a2b7d40"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    op.create_index("ix_accounts_email", "accounts", ["email"], unique=True)


def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
    op.drop_table("accounts")
