"""payment refunds

Revision ID: bf043483b422
Revises: 8cc76ba1008a
Create Date: 2024-01-24 15:27:09.724510

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bf043483b422'
down_revision = '8cc76ba1008a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('payments', sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        'payments',
        sa.Column('refund_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    )
    op.add_column('balance_transactions', sa.Column('payment_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        'fk_balance_transactions_payment_id_payments',
        'balance_transactions',
        'payments',
        ['payment_id'],
        ['id'],
        ondelete='SET NULL',
    )


def downgrade() -> None:
    op.drop_constraint(
        'fk_balance_transactions_payment_id_payments',
        'balance_transactions',
        type_='foreignkey',
    )
    op.drop_column('balance_transactions', 'payment_id')
    op.drop_column('payments', 'refund_amount')
    op.drop_column('payments', 'refunded_at')
