"""backfill users.email_normalized

Revision ID: 3042751a135a
Revises: 513ad17bea34
Create Date: 2023-12-05 10:52:36.188045

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3042751a135a'
down_revision = '513ad17bea34'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('email_normalized', sa.String(length=255), nullable=True))

    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE users SET email_normalized = lower(trim(email)) "
            "WHERE email_normalized IS NULL"
        )
    )

    op.alter_column(
        'users',
        'email_normalized',
        existing_type=sa.String(length=255),
        nullable=False,
    )
    op.create_index(
        op.f('ix_users_email_normalized'), 'users', ['email_normalized'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_users_email_normalized'), table_name='users')
    op.drop_column('users', 'email_normalized')
