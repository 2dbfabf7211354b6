"""index application payload with GIN

Revision ID: 71d3b0e9c8a6
Revises: a4c8e1f7b352
Create Date: 2025-01-27 13:54:10.287365

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "71d3b0e9c8a6"
down_revision: Union[str, None] = "a4c8e1f7b352"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Default jsonb_ops opclass: supports ?, ?| and ?& key lookups used by the
    # eligibility checker in addition to containment (@>).
    op.create_index(
        "ix_applications_payload",
        "applications",
        ["payload"],
        postgresql_using="gin",
    )


def downgrade() -> None:
    op.drop_index("ix_applications_payload", table_name="applications")
