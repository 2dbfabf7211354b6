"""ai_token_usage assistant fk

Revision ID: d1c05304ed51
Revises: a243420a6742
Create Date: 2024-06-18 10:17:42.739655

"""
from typing import Sequence, Union

from alembic import op as alembic_op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "d1c05304ed51"
down_revision: Union[str, None] = "a243420a6742"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    alembic_op.add_column(
        "ai_token_usage",
        sa.Column("assistant_id", sa.BigInteger(), nullable=True),
    )
    alembic_op.create_foreign_key(
        alembic_op.f("fk_ai_token_usage_assistant_id_assistants"),
        "ai_token_usage",
        "assistants",
        ["assistant_id"],
        ["id"],
        ondelete="SET NULL",
    )
    alembic_op.create_index(
        alembic_op.f("ix_ai_token_usage_assistant_id"),
        "ai_token_usage",
        ["assistant_id"],
        unique=False,
    )


def downgrade() -> None:
    alembic_op.drop_index(alembic_op.f("ix_ai_token_usage_assistant_id"), table_name="ai_token_usage")
    alembic_op.drop_constraint(
        alembic_op.f("fk_ai_token_usage_assistant_id_assistants"),
        "ai_token_usage",
        type_="foreignkey",
    )
    alembic_op.drop_column("ai_token_usage", "assistant_id")
