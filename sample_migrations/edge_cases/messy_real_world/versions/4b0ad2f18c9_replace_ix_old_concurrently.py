"""replace ix_old concurrently; add 'refunded' order status

Eleven-character revision id (someone trimmed the last character).

Revision ID: 4b0ad2f18c9
Revises: 3fa9c1e07b
Create Date: 2023-04-03 22:05:47.918604

"""
import os

from alembic import op
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = "4b0ad2f18c9"
down_revision = "3fa9c1e07b"
branch_labels = None
depends_on = None

NEW_STATUSES = ["pending", "paid", "refunded"]


def _sync_with_plugins():
    """Variant using third-party operation plugins.

    ``sync_enum_values`` and ``create_entity`` are registered on ``op`` by
    the alembic-postgresql-enum and alembic-utils packages. They are only
    used when USE_ALEMBIC_PLUGINS is set; a plain ``alembic upgrade``
    takes the SQL path in upgrade() instead.
    """
    from alembic_utils.pg_function import PGFunction

    op.sync_enum_values(
        "public",
        "order_status",
        NEW_STATUSES,
        [("orders", "status")],
        enum_values_to_rename=[],
    )
    op.create_entity(
        PGFunction(
            schema="public",
            signature="order_is_open(status order_status)",
            definition="RETURNS boolean LANGUAGE sql AS $$ SELECT status = 'pending' $$",
        )
    )


def upgrade():
    if os.environ.get("USE_ALEMBIC_PLUGINS"):
        _sync_with_plugins()

    # CONCURRENTLY and ALTER TYPE ... ADD VALUE must run outside the
    # migration transaction.
    with op.get_context().autocommit_block():
        if not os.environ.get("USE_ALEMBIC_PLUGINS"):
            op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded'")
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_old")
        op.create_index(
            "ix_orders_account_id_status",
            "orders",
            ["account_id", "status"],
            postgresql_concurrently=True,
        )


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_orders_account_id_status",
            table_name="orders",
            postgresql_concurrently=True,
        )
        op.create_index("ix_old", "orders", ["account_id"], postgresql_concurrently=True)
    # PostgreSQL cannot remove a value from an enum type; 'refunded' stays.
