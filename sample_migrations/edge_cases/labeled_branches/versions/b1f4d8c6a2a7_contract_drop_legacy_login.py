"""contract: drop accounts.legacy_login

Declares its dependency on the expand branch by branch label, inside a
list, rather than by revision id.

Revision ID: b1f4d8c6a2a7
Revises: a0e3c7b5f196
Create Date: 2024-07-01 16:05:12.580931

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1f4d8c6a2a7"
down_revision = "a0e3c7b5f196"
branch_labels = None
depends_on = ["expand"]


def upgrade():
    op.drop_column("accounts", "legacy_login")


def downgrade():
    op.add_column(
        "accounts",
        sa.Column("legacy_login", sa.String(length=64), nullable=True),
    )
