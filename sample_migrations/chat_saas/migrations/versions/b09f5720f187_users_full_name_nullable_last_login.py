"""users.full_name nullable again, add last_login_at

Invite-only signups don't have a name yet; the NOT NULL from b253dee72940
broke the invite flow.

Revision ID: b09f5720f187
Revises: e4d56a069b99
Create Date: 2024-03-12 10:03:36.672904

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b09f5720f187'
down_revision = 'e4d56a069b99'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        'users',
        'full_name',
        existing_type=sa.String(length=100),
        nullable=True,
    )
    op.add_column('users', sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_users_last_login_at'), 'users', ['last_login_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_users_last_login_at'), table_name='users')
    op.drop_column('users', 'last_login_at')
    op.execute("UPDATE users SET full_name = split_part(email, '@', 1) WHERE full_name IS NULL")
    op.alter_column(
        'users',
        'full_name',
        existing_type=sa.String(length=100),
        nullable=False,
    )
