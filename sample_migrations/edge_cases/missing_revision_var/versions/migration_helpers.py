"""Helpers shared by several revisions.

This module sits in versions/ but is not a revision: it declares no
``revision`` (nor ``down_revision``) variable.
"""
import sqlalchemy as sa
from alembic import op


def money_column(name, nullable=False):
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def add_audit_columns(table_name):
    op.add_column(
        table_name,
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.add_column(table_name, sa.Column("created_by", sa.String(length=64), nullable=True))
