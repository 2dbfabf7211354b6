"""create balance_transactions

Revision ID: 8becd10ab042
Revises: 43ed0096facf
Create Date: 2023-10-17 15:12:40.339918

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8becd10ab042'
down_revision = '43ed0096facf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'balance_transactions',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('description', sa.String(length=255), nullable=True),
        sa.Column(
            'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('topup', 'usage', 'refund', 'bonus', 'adjustment')",
            name='ck_balance_transactions_kind',
        ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_balance_transactions_user_id'),
        'balance_transactions',
        ['user_id'],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f('ix_balance_transactions_user_id'), table_name='balance_transactions')
    op.drop_table('balance_transactions')
