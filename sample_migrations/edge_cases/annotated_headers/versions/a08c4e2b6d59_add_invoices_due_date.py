"""add due_date to invoices

The docstring header was not updated after a rebase: it still names
the old parent, while the code below names the real one.

Revision ID: a08c4e2b6d59
Revises: 7d5f1b9e3a26
Create Date: 2024-09-02 08:14:45.036519

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a08c4e2b6d59"
down_revision: Union[str, None] = "9f7b3d1a5c48"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("due_date", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("invoices", "due_date")
