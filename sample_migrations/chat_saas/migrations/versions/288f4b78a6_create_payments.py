"""create payments

Revision ID: 288f4b78a6
Revises: 8becd10ab042
Create Date: 2023-10-19 12:44:03.251770

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '288f4b78a6'
down_revision = '8becd10ab042'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'payments',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('provider_payment_id', sa.String(length=128), nullable=False),
        sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
        sa.Column('status', sa.String(length=20), server_default='pending', nullable=False),
        sa.Column(
            'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
        # keep payment rows even if someone tries to delete the user
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ux_payments_provider_payment_id',
        'payments',
        ['provider', 'provider_payment_id'],
        unique=True,
    )
    op.create_index(op.f('ix_payments_user_id'), 'payments', ['user_id'], unique=False)
    op.create_check_constraint('ck_payments_amount_positive', 'payments', 'amount > 0')


def downgrade():
    op.drop_constraint('ck_payments_amount_positive', 'payments', type_='check')
    op.drop_index(op.f('ix_payments_user_id'), table_name='payments')
    op.drop_index('ux_payments_provider_payment_id', table_name='payments')
    op.drop_table('payments')
