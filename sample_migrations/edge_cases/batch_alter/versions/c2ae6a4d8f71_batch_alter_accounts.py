"""link accounts to organizations (batch mode)

Written in batch mode so the same revision also runs on SQLite.

Revision ID: c2ae6a4d8f71
Revises: b19d5f3c7e60
Create Date: 2024-09-16 13:05:58.149072

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c2ae6a4d8f71"
down_revision = "b19d5f3c7e60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organization_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("locale", sa.String(length=10), server_default="en", nullable=False)
        )
        batch_op.alter_column(
            "email",
            existing_type=sa.String(length=120),
            type_=sa.String(length=255),
            existing_nullable=False,
        )
        batch_op.create_index(
            batch_op.f("ix_accounts_organization_id"), ["organization_id"], unique=False
        )
        batch_op.drop_column("nickname")
        batch_op.create_foreign_key(
            "fk_accounts_organization_id_organizations",
            "organizations",
            ["organization_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_accounts_organization_id_organizations", type_="foreignkey"
        )
        batch_op.add_column(sa.Column("nickname", sa.String(length=50), nullable=True))
        batch_op.drop_index(batch_op.f("ix_accounts_organization_id"))
        batch_op.alter_column(
            "email",
            existing_type=sa.String(length=255),
            type_=sa.String(length=120),
            existing_nullable=False,
        )
        batch_op.drop_column("locale")
        batch_op.drop_column("organization_id")
