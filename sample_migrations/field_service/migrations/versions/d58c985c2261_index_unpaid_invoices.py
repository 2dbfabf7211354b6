"""index unpaid invoices

The dunning job scans unpaid invoices by due date and needs the customer and
the amounts; a partial covering index keeps that to an index-only scan.

Revision ID: d58c985c2261
Revises: bd9d2f1723b7
Create Date: 2025-04-15 08:51:03.460718+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd58c985c2261'
down_revision: Union[str, Sequence[str], None] = 'bd9d2f1723b7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        'ix_invoices_unpaid_due_at',
        'invoices',
        ['due_at'],
        unique=False,
        postgresql_where=sa.text('paid_at IS NULL'),
        postgresql_include=['customer_id', 'net_amount', 'tax_amount'],
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_invoices_unpaid_due_at', table_name='invoices')
