"""create accounts table

Revision ID: 4a8e2c6f0b19
Revises:
Create Date: 2024-05-06 08:45:19.771032

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4a8e2c6f0b19"
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
