"""prefix systems with ctl_

Revision ID: 4a2e6c1f08b3
Revises: 31c0a9e5d7f2
Create Date: 2024-03-18 09:41:07.221310

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "4a2e6c1f08b3"
down_revision = "31c0a9e5d7f2"
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("systems", "ctl_systems")
    op.execute("ALTER INDEX systems_pkey RENAME TO ctl_systems_pkey")
    op.execute("ALTER INDEX ix_systems_id RENAME TO ix_ctl_systems_id")


def downgrade():
    op.execute("ALTER INDEX ix_ctl_systems_id RENAME TO ix_systems_id")
    op.execute("ALTER INDEX ctl_systems_pkey RENAME TO systems_pkey")
    op.rename_table("ctl_systems", "systems")
