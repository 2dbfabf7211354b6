"""index files.path concurrently

Revision ID: b4d2f6081c3a
Revises: a3c1e5f70b29
Create Date: 2026-04-11 16:36:03.674781

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b4d2f6081c3a"
down_revision = "a3c1e5f70b29"
branch_labels: tuple[str] | None = None
depends_on: tuple[str] | None = None

INDEX = "ix_files_path"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        # An interrupted concurrent build leaves an INVALID index behind:
        # drop it first, if it is there.
        op.drop_index(
            INDEX,
            table_name="files",
            if_exists=True,
            postgresql_concurrently=True,
        )
        op.create_index(
            INDEX,
            "files",
            ["path"],
            unique=False,
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            INDEX,
            table_name="files",
            if_exists=True,
            postgresql_concurrently=True,
        )
