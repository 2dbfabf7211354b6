"""widen users.email to 320 chars

RFC 5321 allows 64 + 1 + 255.

Revision ID: a0afe435e08a
Revises: b6335c45b677
Create Date: 2024-05-07 09:15:58.602231

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a0afe435e08a'
down_revision = 'b6335c45b677'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        'users',
        'email',
        existing_type=sa.String(length=255),
        type_=sa.String(length=320),
        existing_nullable=False,
    )


def downgrade() -> None:
    op.alter_column(
        'users',
        'email',
        existing_type=sa.String(length=320),
        type_=sa.String(length=255),
        existing_nullable=False,
    )
