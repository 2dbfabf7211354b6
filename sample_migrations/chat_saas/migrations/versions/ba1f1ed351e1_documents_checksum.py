"""documents checksum

Revision ID: ba1f1ed351e1
Revises: a0afe435e08a
Create Date: 2024-05-21 13:34:26.981107

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "ba1f1ed351e1"
down_revision: Union[str, None] = "a0afe435e08a"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("sha256", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_documents_user_id_sha256"),
        "documents",
        ["user_id", "sha256"],
        unique=True,
    )
    op.create_check_constraint(
        "ck_documents_status",
        "documents",
        "status IN ('uploaded', 'processing', 'ready', 'failed')",
    )
    op.add_column(
        "user_knowledge",
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("user_knowledge", "created_at")
    op.drop_constraint("ck_documents_status", "documents", type_="check")
    op.drop_index(op.f("ix_documents_user_id_sha256"), table_name="documents")
    op.drop_column("documents", "sha256")
