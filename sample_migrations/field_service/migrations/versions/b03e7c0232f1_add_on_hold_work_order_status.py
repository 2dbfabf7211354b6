"""add on_hold work order status

Dispatchers park work orders that wait for parts. ALTER TYPE ... ADD VALUE
could not run inside a transaction block before PostgreSQL 12, and the new
value cannot be used in the same transaction even now, so it runs in an
autocommit block.

Revision ID: b03e7c0232f1
Revises: 4bb238d5b368
Create Date: 2025-04-03 14:12:36.025581+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b03e7c0232f1'
down_revision: Union[str, Sequence[str], None] = '4bb238d5b368'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

VALUES_BEFORE = ('draft', 'scheduled', 'in_progress', 'completed', 'cancelled')


def upgrade() -> None:
    """Upgrade schema."""
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE work_order_status ADD VALUE IF NOT EXISTS 'on_hold' AFTER 'scheduled'")


def downgrade() -> None:
    """Downgrade schema."""
    # PostgreSQL cannot remove a value from an enum: rebuild the type without it.
    op.execute("UPDATE work_orders SET status = 'scheduled' WHERE status = 'on_hold'")
    op.execute("ALTER TABLE work_orders ALTER COLUMN status DROP DEFAULT")
    op.execute("ALTER TYPE work_order_status RENAME TO work_order_status_old")
    op.execute(
        "CREATE TYPE work_order_status AS ENUM ("
        + ", ".join(f"'{value}'" for value in VALUES_BEFORE)
        + ")"
    )
    op.execute(
        "ALTER TABLE work_orders ALTER COLUMN status TYPE work_order_status"
        " USING status::text::work_order_status"
    )
    op.execute("ALTER TABLE work_orders ALTER COLUMN status SET DEFAULT 'draft'")
    op.execute("DROP TYPE work_order_status_old")
