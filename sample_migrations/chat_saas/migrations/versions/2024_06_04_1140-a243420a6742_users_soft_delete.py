"""users soft delete

GDPR deletion requests are processed asynchronously; keep the row around
until the purge job runs, and allow re-registration with the same email.

Revision ID: a243420a6742
Revises: ba1f1ed351e1
Create Date: 2024-06-04 11:40:03.446518

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a243420a6742'
down_revision = 'ba1f1ed351e1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        'uq_users_email_lower_active',
        'users',
        [sa.text('lower(email)')],
        unique=True,
        postgresql_where=sa.text('deleted_at IS NULL'),
    )
    op.execute(
        sa.text(
            "COMMENT ON COLUMN users.deleted_at IS "
            "'Set when the account is scheduled for purge; NULL for live accounts'"
        )
    )


def downgrade() -> None:
    op.execute(sa.text("COMMENT ON COLUMN users.deleted_at IS NULL"))
    op.drop_index(
        'uq_users_email_lower_active',
        table_name='users',
        postgresql_where=sa.text('deleted_at IS NULL'),
    )
    op.drop_column('users', 'deleted_at')
