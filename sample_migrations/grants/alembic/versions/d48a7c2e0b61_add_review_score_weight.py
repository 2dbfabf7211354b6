"""add review score weight

Revision ID: d48a7c2e0b61
Revises: 0c9e3a58d7f2
Create Date: 2025-02-19 09:15:44.870023

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "d48a7c2e0b61"
down_revision: Union[str, None] = "0c9e3a58d7f2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Per-criterion weighting experiment. Dropped again in 07f4b1e6d9a2 once
    # weights moved into the programme configuration.
    op.add_column(
        "review_scores",
        sa.Column(
            "weight",
            sa.Numeric(precision=4, scale=2),
            server_default=sa.text("1.00"),
            nullable=False,
        ),
    )
    op.create_check_constraint(
        "ck_review_scores_weight_positive",
        "review_scores",
        "weight > 0",
    )


def downgrade() -> None:
    op.drop_constraint("ck_review_scores_weight_positive", "review_scores", type_="check")
    op.drop_column("review_scores", "weight")
