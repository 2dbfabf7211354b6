"""create orders table

Revision ID: 7d5f1b9e3a26
Revises: 6c4e0a8d2f15
Create Date: 2024-08-12 14:37:52.208844

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7d5f1b9e3a26"
down_revision: Union[str, Sequence[str], None] = "6c4e0a8d2f15"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("orders")
