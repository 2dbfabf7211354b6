"""add note column to orders

The first down_revision below is a leftover from before a rebase; the
second assignment is the one Python (and therefore Alembic) keeps.

Revision ID: 9f7b3d1a5c48
Revises: 8e6a2c0f4b37
Create Date: 2024-08-26 16:50:33.914286

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9f7b3d1a5c48"
down_revision: Union[str, None] = "6c4e0a8d2f15"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

down_revision = "8e6a2c0f4b37"


def upgrade() -> None:
    op.add_column("orders", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("orders", "note")
