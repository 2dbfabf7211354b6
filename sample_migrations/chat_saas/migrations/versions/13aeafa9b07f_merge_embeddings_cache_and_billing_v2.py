"""merge embeddings cache and billing v2

Revision ID: 13aeafa9b07f
Revises: 914c6a112052, 41dd1ae5f1de
Create Date: 2024-02-14 18:05:29.662417

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "13aeafa9b07f"
down_revision: Union[str, Sequence[str], None] = ("914c6a112052", "41dd1ae5f1de")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
