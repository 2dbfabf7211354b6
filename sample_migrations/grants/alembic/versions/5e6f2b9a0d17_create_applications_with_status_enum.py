"""create applications with status enum

Revision ID: 5e6f2b9a0d17
Revises: c07a94d3e1b8
Create Date: 2025-01-20 16:05:58.771240

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = "5e6f2b9a0d17"
down_revision: Union[str, None] = "c07a94d3e1b8"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


application_status = postgresql.ENUM(
    "draft",
    "submitted",
    "under_review",
    "awarded",
    "rejected",
    name="application_status",
)


def upgrade() -> None:
    # The type is created explicitly so that create_table must not try to
    # create it a second time (create_type=False on the column type).
    application_status.create(op.get_bind(), checkfirst=False)

    op.create_table(
        "applications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.BigInteger(), nullable=False),
        sa.Column("submitted_by", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            postgresql.ENUM(name="application_status", create_type=False),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("requested_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_applications"),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["grant_programmes.id"],
            name="fk_applications_programme_id_grant_programmes",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_applications_organisation_id_organisations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["users.id"],
            name="fk_applications_submitted_by_users",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint("requested_amount > 0", name="ck_applications_requested_amount_positive"),
        sa.CheckConstraint(
            "status = 'draft' OR submitted_at IS NOT NULL",
            name="ck_applications_submitted_at_required",
        ),
    )
    op.create_index("ix_applications_programme_id", "applications", ["programme_id"])
    op.create_index("ix_applications_organisation_id", "applications", ["organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_applications_organisation_id", table_name="applications")
    op.drop_index("ix_applications_programme_id", table_name="applications")
    op.drop_table("applications")
    application_status.drop(op.get_bind(), checkfirst=False)
