"""create review assignments

Revision ID: b6f0d2c71e94
Revises: e2b95f4a16c0
Create Date: 2025-02-10 10:03:51.662417

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "b6f0d2c71e94"
down_revision: Union[str, None] = "e2b95f4a16c0"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # One row per (application, reviewer) pair; the pair is the natural key.
    op.create_table(
        "review_assignments",
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("reviewer_id", sa.BigInteger(), nullable=False),
        sa.Column("assigned_by", sa.BigInteger(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("declined", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("application_id", "reviewer_id", name="pk_review_assignments"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_review_assignments_application_id_applications",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name="fk_review_assignments_reviewer_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"],
            ["users.id"],
            name="fk_review_assignments_assigned_by_users",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "declined OR decline_reason IS NULL",
            name="ck_review_assignments_decline_reason",
        ),
    )
    op.create_index("ix_review_assignments_reviewer_id", "review_assignments", ["reviewer_id"])


def downgrade() -> None:
    op.drop_index("ix_review_assignments_reviewer_id", table_name="review_assignments")
    op.drop_table("review_assignments")
