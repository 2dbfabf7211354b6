"""create vendors and invoices with unnamed constraints

Revision ID: e7a2c4f61b08
Revises:
Create Date: 2025-09-01 08:30:12.004512

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7a2c4f61b08"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vendors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "code", sa.String(16), sa.CheckConstraint("code <> ''"), nullable=False, unique=True
        ),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.CheckConstraint("rating BETWEEN 1 AND 5"),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("vendor_id", sa.Integer(), sa.ForeignKey("vendors.id"), nullable=False),
        sa.Column("net", sa.Numeric(12, 2), nullable=False),
        sa.Column("gross", sa.Numeric(12, 2), nullable=False),
        sa.CheckConstraint("net >= 0"),
        sa.CheckConstraint("gross >= net"),
        sa.CheckConstraint("gross < 1000000 AND net < 1000000"),
    )


def downgrade():
    op.drop_table("invoices")
    op.drop_table("vendors")
