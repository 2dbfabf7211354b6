"""merge heads

Revision ID: b6335c45b677
Revises: d25a70bfd9b9, 625ebd532f1e
Create Date: 2024-04-23 17:42:10.350268

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "b6335c45b677"
down_revision: Union[str, Sequence[str], None] = ("d25a70bfd9b9", "625ebd532f1e")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
