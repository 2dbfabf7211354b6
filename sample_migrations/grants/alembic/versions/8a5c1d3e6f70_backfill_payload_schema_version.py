"""backfill payload schema_version

Revision ID: 8a5c1d3e6f70
Revises: d2e7b4f9a085
Create Date: 2025-05-13 11:19:57.068214

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = "8a5c1d3e6f70"
down_revision: Union[str, None] = "d2e7b4f9a085"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


SCHEMA_VERSION = 2


def upgrade() -> None:
    # Payloads written before the v2 form builder carry no version marker.
    op.execute(
        sa.text(
            "UPDATE applications "
            "SET payload = payload || jsonb_build_object('schema_version', CAST(:version AS integer)) "
            "WHERE NOT (payload ? 'schema_version')"
        ).bindparams(version=SCHEMA_VERSION)
    )
    op.alter_column(
        "applications",
        "payload",
        existing_type=postgresql.JSONB(astext_type=sa.Text()),
        server_default=sa.text(f"'{{\"schema_version\": {SCHEMA_VERSION}}}'::jsonb"),
        existing_nullable=False,
    )


def downgrade() -> None:
    op.alter_column(
        "applications",
        "payload",
        existing_type=postgresql.JSONB(astext_type=sa.Text()),
        server_default=sa.text("'{}'::jsonb"),
        existing_nullable=False,
    )
    op.execute(
        sa.text(
            "UPDATE applications "
            "SET payload = payload - 'schema_version' "
            "WHERE (payload ->> 'schema_version') = CAST(:version AS text)"
        ).bindparams(version=SCHEMA_VERSION)
    )
