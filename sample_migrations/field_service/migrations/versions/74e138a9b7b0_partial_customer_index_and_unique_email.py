"""work_orders customer index without deleted rows; unique technician email

The customer page only lists live work orders, so ix_work_orders_customer_id
is rebuilt as a partial index. Technician logins are by email now, so the
address has to be unique.

Revision ID: 74e138a9b7b0
Revises: 61b4730e3e6c
Create Date: 2025-09-23 16:48:25.507733+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '74e138a9b7b0'
down_revision: Union[str, Sequence[str], None] = '61b4730e3e6c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_index('ix_work_orders_customer_id', table_name='work_orders')
    op.create_index(
        'ix_work_orders_customer_id',
        'work_orders',
        ['customer_id', 'opened_at'],
        unique=False,
        postgresql_where=sa.text('deleted_at IS NULL'),
    )
    op.create_unique_constraint(op.f('uq_technicians_email'), 'technicians', ['email'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint(op.f('uq_technicians_email'), 'technicians', type_='unique')
    op.drop_index('ix_work_orders_customer_id', table_name='work_orders', postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_index('ix_work_orders_customer_id', 'work_orders', ['customer_id'], unique=False)
