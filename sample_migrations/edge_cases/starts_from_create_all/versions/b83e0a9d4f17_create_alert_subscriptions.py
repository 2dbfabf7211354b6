"""create alert_subscriptions

Revision ID: b83e0a9d4f17
Revises: 6a1f3c85e2b0
Create Date: 2021-08-30 11:47:05.902117

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b83e0a9d4f17"
down_revision = "6a1f3c85e2b0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("query_id", sa.Integer(), sa.ForeignKey("queries.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
    )


def downgrade():
    op.drop_table("alert_subscriptions")
