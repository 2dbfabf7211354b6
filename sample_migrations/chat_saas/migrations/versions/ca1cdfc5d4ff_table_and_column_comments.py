"""table and column comments

The data team reads the schema through the BI tool, document the core tables.

Revision ID: ca1cdfc5d4ff
Revises: d1c05304ed51
Create Date: 2024-07-02 15:03:27.194420

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "ca1cdfc5d4ff"
down_revision: Union[str, None] = "d1c05304ed51"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

USERS_COMMENT = "Registered end users (web, Telegram and Slack sign-ups)"
EMBEDDINGS_COMMENT = "Chunked document text with its pgvector embedding (1536 dims)"
EMAIL_COMMENT = "Login email as entered by the user; see email_normalized for lookups"


def upgrade() -> None:
    op.create_table_comment("users", USERS_COMMENT)
    op.create_table_comment("knowledge_embeddings", EMBEDDINGS_COMMENT)
    op.alter_column(
        "users",
        "email",
        existing_type=sa.String(length=320),
        existing_nullable=False,
        comment=EMAIL_COMMENT,
    )


def downgrade() -> None:
    op.alter_column(
        "users",
        "email",
        existing_type=sa.String(length=320),
        existing_nullable=False,
        comment=None,
        existing_comment=EMAIL_COMMENT,
    )
    op.drop_table_comment("knowledge_embeddings", existing_comment=EMBEDDINGS_COMMENT)
    op.drop_table_comment("users", existing_comment=USERS_COMMENT)
