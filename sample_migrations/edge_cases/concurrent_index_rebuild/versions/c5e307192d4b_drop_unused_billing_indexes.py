"""drop unused billing_entries indexes

Revision ID: c5e307192d4b
Revises: b4d2f6081c3a
Create Date: 2026-05-19 09:02:55.120078

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c5e307192d4b"
down_revision = "b4d2f6081c3a"
branch_labels: tuple[str] | None = None
depends_on: tuple[str] | None = None

UNUSED = {
    "ix_billing_entries_deleted_at": ["deleted_at"],
    "ix_billing_entries_kind": ["kind"],
    # Never created: dropping it is a no-op thanks to if_exists.
    "ix_billing_entries_legacy_type": ["kind"],
}


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for index_name in UNUSED:
            op.drop_index(
                index_name,
                table_name="billing_entries",
                if_exists=True,
                postgresql_concurrently=True,
            )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        for index_name, columns in UNUSED.items():
            if index_name == "ix_billing_entries_legacy_type":
                continue
            op.create_index(
                index_name,
                "billing_entries",
                columns,
                postgresql_concurrently=True,
            )
