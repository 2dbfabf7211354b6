"""create users

Revision ID: 8d21e6b0c4f5
Revises: 3f9c1a7e2b40
Create Date: 2025-01-08 14:31:02.640511

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "8d21e6b0c4f5"
down_revision: Union[str, None] = "3f9c1a7e2b40"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organisation_id", sa.BigInteger(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), server_default="applicant", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_users_organisation_id_organisations",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "role IN ('applicant', 'reviewer', 'admin')",
            name="ck_users_role",
        ),
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_users_organisation_id", "users", ["organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_users_organisation_id", table_name="users")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_table("users")
