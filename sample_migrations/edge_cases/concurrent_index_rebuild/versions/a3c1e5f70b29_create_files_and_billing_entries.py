"""create files and billing_entries

Revision ID: a3c1e5f70b29
Revises:
Create Date: 2026-03-02 10:14:08.310442

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3c1e5f70b29"
down_revision = None
branch_labels: tuple[str] | None = None
depends_on: tuple[str] | None = None

INDEXES = {
    "ix_billing_entries_deleted_at": ["deleted_at"],
    "ix_billing_entries_kind": ["kind"],
    "ix_billing_entries_subscription_id_kind": ["subscription_id", "kind"],
}


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "billing_entries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "billing_entries", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="billing_entries")
    op.drop_table("billing_entries")
    op.drop_table("files")
