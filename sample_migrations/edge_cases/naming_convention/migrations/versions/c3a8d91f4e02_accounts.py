"""users become accounts; orders belong to an org

Revision ID: c3a8d91f4e02
Revises: 9b4f2e6a0c57
Create Date: 2025-11-03 10:05:37.009912

"""
import sqlalchemy as sa
from alembic import op

revision = "c3a8d91f4e02"
down_revision = "9b4f2e6a0c57"
branch_labels = None
depends_on = None


def upgrade():
    # PostgreSQL keeps the constraints' names (pk_users, uq_users_email, ...).
    op.rename_table("users", "accounts")
    op.alter_column("accounts", "email", new_column_name="login")
    op.add_column("accounts", sa.Column("handle", sa.String(40), nullable=True, unique=True))
    op.add_column("orders", sa.Column("org_id", sa.Integer(), nullable=True))
    op.create_foreign_key(None, "orders", "orgs", ["org_id"], ["id"])


def downgrade():
    op.drop_constraint("fk_orders_org_id_orgs", "orders", type_="foreignkey")
    op.drop_column("orders", "org_id")
    op.drop_column("accounts", "handle")
    op.alter_column("accounts", "login", new_column_name="email")
    op.rename_table("accounts", "users")
