"""add 'withdrawn' to application_status

Revision ID: e8c03b7d5f19
Revises: 4a1f6c9e3d27
Create Date: 2025-03-10 11:36:54.901187

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "e8c03b7d5f19"
down_revision: Union[str, None] = "4a1f6c9e3d27"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


OLD_VALUES = ("draft", "submitted", "under_review", "awarded", "rejected")


def upgrade() -> None:
    # A value added by ALTER TYPE ... ADD VALUE cannot be used inside the
    # transaction that added it, so run it outside the migration transaction.
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE application_status ADD VALUE 'withdrawn'")


def downgrade() -> None:
    # PostgreSQL cannot drop a single enum value: rebuild the type without
    # it. Withdrawn applications fall back to 'submitted' (or 'draft' if they
    # never got that far). The check constraint and the column default embed
    # the old type, so they are dropped and re-created around the swap.
    values = ", ".join(f"'{v}'" for v in OLD_VALUES)
    op.drop_constraint("ck_applications_submitted_at_required", "applications", type_="check")
    op.execute("ALTER TABLE applications ALTER COLUMN status DROP DEFAULT")
    op.execute("ALTER TYPE application_status RENAME TO application_status_old")
    op.execute(f"CREATE TYPE application_status AS ENUM ({values})")
    op.execute(
        """
        ALTER TABLE applications
            ALTER COLUMN status TYPE application_status
            USING (
                CASE status::text
                    WHEN 'withdrawn' THEN
                        CASE WHEN submitted_at IS NULL THEN 'draft' ELSE 'submitted' END
                    ELSE status::text
                END
            )::application_status
        """
    )
    op.execute("ALTER TABLE applications ALTER COLUMN status SET DEFAULT 'draft'")
    op.execute("DROP TYPE application_status_old")
    op.create_check_constraint(
        "ck_applications_submitted_at_required",
        "applications",
        "status = 'draft' OR submitted_at IS NOT NULL",
    )
