"""create accounts table

Revision ID: 2c6a9e1f4b83
Revises:
Create Date: 2024-04-02 09:20:44.318201

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2c6a9e1f4b83"
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
