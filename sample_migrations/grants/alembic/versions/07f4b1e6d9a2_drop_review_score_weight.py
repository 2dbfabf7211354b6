"""drop review score weight

Revision ID: 07f4b1e6d9a2
Revises: c5d2a8f1e7b3
Create Date: 2025-04-01 13:27:40.158902

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '07f4b1e6d9a2'
down_revision = 'c5d2a8f1e7b3'
branch_labels = None
depends_on = None


def upgrade():
    # Weights now live in funding_calls configuration; the per-score column
    # added in d48a7c2e0b61 was never read in production.
    op.drop_constraint('ck_review_scores_weight_positive', 'review_scores', type_='check')
    op.drop_column('review_scores', 'weight')


def downgrade():
    op.add_column(
        'review_scores',
        sa.Column('weight', sa.Numeric(precision=4, scale=2), server_default=sa.text('1.00'), nullable=False),
    )
    op.create_check_constraint('ck_review_scores_weight_positive', 'review_scores', 'weight > 0')
