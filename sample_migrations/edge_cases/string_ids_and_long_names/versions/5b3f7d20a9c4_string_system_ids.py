"""systems get string ids; drop the device id index

Revision ID: 5b3f7d20a9c4
Revises: 4a2e6c1f08b3
Create Date: 2024-05-02 15:20:33.004918

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b3f7d20a9c4"
down_revision = "4a2e6c1f08b3"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP SEQUENCE systems_id_seq CASCADE")
    op.execute("ALTER TABLE ctl_systems DROP CONSTRAINT ctl_systems_pkey CASCADE")
    op.alter_column(
        table_name="ctl_systems",
        column_name="id",
        existing_type=sa.Integer,
        type_=sa.String(255),
        nullable=False,
    )
    op.create_primary_key(
        table_name="ctl_systems", constraint_name="ctl_systems_pkey", columns=["id"]
    )
    # The name as the database has it, shortened.
    op.drop_index(
        "ix_device_consent_preferences_fides_user_device_provide_78df",
        table_name="device_consent_preferences",
    )


def downgrade():
    op.create_index(
        op.f("ix_device_consent_preferences_fides_user_device_provided_identity_id"),
        "device_consent_preferences",
        ["fides_user_device_provided_identity_id"],
        unique=False,
    )
    op.drop_constraint("ctl_systems_pkey", "ctl_systems", type_="primary")
    op.alter_column(
        table_name="ctl_systems",
        column_name="id",
        existing_type=sa.String(255),
        type_=sa.Integer,
        nullable=False,
        postgresql_using="id::integer",
    )
    op.create_primary_key(
        table_name="ctl_systems",
        constraint_name="ctl_systems_pkey",
        columns=["id", "fides_key"],
    )
