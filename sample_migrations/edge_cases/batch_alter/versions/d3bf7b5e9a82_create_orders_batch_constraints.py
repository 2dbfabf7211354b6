"""create orders; constraints added in batch mode

Revision ID: d3bf7b5e9a82
Revises: c2ae6a4d8f71
Create Date: 2024-09-23 10:27:14.693558

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d3bf7b5e9a82"
down_revision = "c2ae6a4d8f71"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
    )
    with op.batch_alter_table("orders") as batch_op:
        batch_op.create_foreign_key(
            "fk_orders_account_id_accounts", "accounts", ["account_id"], ["id"]
        )
        batch_op.create_unique_constraint("uq_orders_reference", ["reference"])
        batch_op.create_check_constraint("ck_orders_total_positive", "total_cents >= 0")
        batch_op.alter_column(
            "total_cents",
            existing_type=sa.BigInteger(),
            server_default="0",
            existing_nullable=False,
        )


def downgrade():
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_constraint("ck_orders_total_positive", type_="check")
        batch_op.drop_constraint("uq_orders_reference", type_="unique")
        batch_op.drop_constraint("fk_orders_account_id_accounts", type_="foreignkey")
    op.drop_table("orders")
