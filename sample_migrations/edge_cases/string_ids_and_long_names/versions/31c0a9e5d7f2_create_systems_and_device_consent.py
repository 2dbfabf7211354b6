"""create systems and device_consent_preferences

Revision ID: 31c0a9e5d7f2
Revises:
Create Date: 2024-02-05 12:00:41.512044

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "31c0a9e5d7f2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "systems",
        # One column of a composite key marked autoincrement: SERIAL.
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fides_key", sa.String(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", "fides_key"),
    )
    op.create_index(op.f("ix_systems_id"), "systems", ["id"], unique=True)
    op.create_table(
        "device_consent_preferences",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("fides_user_device_provided_identity_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    # 68 characters: SQLAlchemy shortens it to 63 with a hash.
    op.create_index(
        op.f("ix_device_consent_preferences_fides_user_device_provided_identity_id"),
        "device_consent_preferences",
        ["fides_user_device_provided_identity_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(
        op.f("ix_device_consent_preferences_fides_user_device_provided_identity_id"),
        table_name="device_consent_preferences",
    )
    op.drop_table("device_consent_preferences")
    op.drop_index(op.f("ix_systems_id"), table_name="systems")
    op.drop_table("systems")
