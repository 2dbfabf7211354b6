"""create grant programmes

Revision ID: c07a94d3e1b8
Revises: 8d21e6b0c4f5
Create Date: 2025-01-13 09:47:19.003876

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c07a94d3e1b8'
down_revision = '8d21e6b0c4f5'
branch_labels = None
depends_on = None


def upgrade():
    # Plain SERIAL primary key: the implicit sequence is renamed together
    # with the table later on (see 1b7e9d4c6a08).
    op.create_table(
        'grant_programmes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('currency', sa.CHAR(length=3), server_default='GBP', nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_grant_programmes'),
        sa.UniqueConstraint('code', name='uq_grant_programmes_code'),
        sa.CheckConstraint('budget >= 0', name='ck_grant_programmes_budget_non_negative'),
        sa.CheckConstraint('closes_on > opens_on', name='ck_grant_programmes_window'),
    )


def downgrade():
    op.drop_table('grant_programmes')
