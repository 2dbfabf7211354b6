"""users: last_login_at, updated_at, full_name not null

Revision ID: c5d2a8f1e7b3
Revises: 1b7e9d4c6a08
Create Date: 2025-03-24 10:11:29.736558

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "c5d2a8f1e7b3"
down_revision: Union[str, None] = "1b7e9d4c6a08"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Backfill before tightening full_name to NOT NULL.
    op.execute("UPDATE users SET full_name = split_part(email, '@', 1) WHERE full_name IS NULL")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "updated_at",
                sa.DateTime(timezone=True),
                server_default=sa.text("now()"),
                nullable=False,
            )
        )
        batch_op.alter_column(
            "full_name",
            existing_type=sa.String(length=200),
            type_=sa.String(length=300),
            nullable=False,
        )
        batch_op.create_check_constraint(
            "ck_users_email_has_at",
            "position('@' in email) > 1",
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("ck_users_email_has_at", type_="check")
        batch_op.alter_column(
            "full_name",
            existing_type=sa.String(length=300),
            type_=sa.String(length=200),
            nullable=True,
        )
        batch_op.drop_column("updated_at")
        batch_op.drop_column("last_login_at")
