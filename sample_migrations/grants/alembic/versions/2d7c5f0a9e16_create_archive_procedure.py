"""create archived_applications and archive procedure

Revision ID: 2d7c5f0a9e16
Revises: 6b8e4d1f2a93
Create Date: 2025-02-26 14:20:49.017352

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = "2d7c5f0a9e16"
down_revision: Union[str, None] = "6b8e4d1f2a93"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # final_status is plain text on purpose: archived rows must survive
    # future changes to the application_status enum.
    op.create_table(
        "archived_applications",
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("final_status", sa.Text(), nullable=False),
        sa.Column("requested_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name="pk_archived_applications"),
    )
    op.execute(
        """
        CREATE PROCEDURE archive_old_applications(cutoff date)
        LANGUAGE plpgsql
        AS $$
        DECLARE
            moved integer;
        BEGIN
            WITH gone AS (
                DELETE FROM applications
                WHERE status IN ('awarded', 'rejected')
                  AND updated_at < cutoff
                RETURNING id, programme_id, organisation_id, title, status,
                          requested_amount, payload, submitted_at
            )
            INSERT INTO archived_applications (
                application_id, programme_id, organisation_id, title,
                final_status, requested_amount, payload, submitted_at
            )
            SELECT id, programme_id, organisation_id, title,
                   status::text, requested_amount, payload, submitted_at
            FROM gone;

            GET DIAGNOSTICS moved = ROW_COUNT;

            INSERT INTO audit_events (entity_type, action, details)
            VALUES ('application', 'archived',
                    jsonb_build_object('cutoff', cutoff, 'count', moved));
        END;
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP PROCEDURE archive_old_applications(date)")
    op.drop_table("archived_applications")
