"""comment on tags.name

Uses a PEP 701 f-string (Python 3.12+): the replacement field reuses the
outer quote character. Older Pythons, and parsers written for them, reject
the file.

Revision ID: 7f4a0b3d6e21
Revises: 5d2e8a1c9b40
Create Date: 2025-03-09 16:40:05.527310

"""
from alembic import op

revision = "7f4a0b3d6e21"
down_revision = "5d2e8a1c9b40"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(f"COMMENT ON COLUMN tags.name IS '{"unique " + 'display name'}'")


def downgrade():
    op.execute("COMMENT ON COLUMN tags.name IS NULL")
