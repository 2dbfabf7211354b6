"""orgs and users, constraints left for the convention to name

Revision ID: 5d1e0a7c2b31
Revises:
Create Date: 2025-10-06 09:12:44.120031

"""
import sqlalchemy as sa
from alembic import op

revision = "5d1e0a7c2b31"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orgs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False, index=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id"), nullable=False),
        sa.CheckConstraint("char_length(name) > 1", name="name_length"),
        sa.UniqueConstraint("org_id", "name"),
    )


def downgrade():
    op.drop_table("users")
    op.drop_table("orgs")
