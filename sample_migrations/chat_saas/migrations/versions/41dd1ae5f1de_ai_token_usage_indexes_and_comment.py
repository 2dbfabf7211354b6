"""ai_token_usage indexes and comment

Revision ID: 41dd1ae5f1de
Revises: abf3a52ab2bf
Create Date: 2024-02-12 14:40:22.378964

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "41dd1ae5f1de"
down_revision: Union[str, None] = "abf3a52ab2bf"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLE_COMMENT = "Per-request LLM token accounting, one row per completion call"


def upgrade() -> None:
    op.create_index(
        op.f("ix_ai_token_usage_user_id_created_at"),
        "ai_token_usage",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_ai_token_usage_dialog_id"), "ai_token_usage", ["dialog_id"], unique=False)
    op.create_table_comment("ai_token_usage", TABLE_COMMENT)


def downgrade() -> None:
    op.drop_table_comment("ai_token_usage", existing_comment=TABLE_COMMENT)
    op.drop_index(op.f("ix_ai_token_usage_dialog_id"), table_name="ai_token_usage")
    op.drop_index(op.f("ix_ai_token_usage_user_id_created_at"), table_name="ai_token_usage")
