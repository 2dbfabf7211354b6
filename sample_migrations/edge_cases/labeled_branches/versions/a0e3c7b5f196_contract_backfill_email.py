"""contract: make accounts.email_normalized mandatory

First revision of the ``contract`` branch. It needs the column added
by the expand revision 8c1e5a3f9d74, declared through ``depends_on``
(by revision id).

Revision ID: a0e3c7b5f196
Revises: 5b3d9f1a7c2e
Create Date: 2024-06-24 11:21:50.207846

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a0e3c7b5f196"
down_revision = "5b3d9f1a7c2e"
branch_labels = ("contract",)
depends_on = "8c1e5a3f9d74"


def upgrade():
    op.execute(
        "UPDATE accounts SET email_normalized = lower(email) "
        "WHERE email_normalized IS NULL"
    )
    op.alter_column(
        "accounts",
        "email_normalized",
        existing_type=sa.String(length=255),
        nullable=False,
    )


def downgrade():
    op.alter_column(
        "accounts",
        "email_normalized",
        existing_type=sa.String(length=255),
        nullable=True,
    )
