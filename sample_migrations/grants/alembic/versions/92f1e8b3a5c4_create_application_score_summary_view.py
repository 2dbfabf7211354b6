"""create application score summary view

Revision ID: 92f1e8b3a5c4
Revises: d48a7c2e0b61
Create Date: 2025-02-24 17:38:12.449816

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '92f1e8b3a5c4'
down_revision = 'd48a7c2e0b61'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE VIEW application_score_summary AS
        SELECT
            a.id AS application_id,
            a.programme_id,
            a.organisation_id,
            count(DISTINCT s.reviewer_id) AS reviewer_count,
            count(s.id) AS score_count,
            round(avg(s.score), 2) AS mean_score,
            min(s.score) AS min_score,
            max(s.score) AS max_score,
            max(s.scored_at) AS last_scored_at
        FROM applications AS a
        LEFT JOIN review_scores AS s ON s.application_id = a.id
        GROUP BY a.id, a.programme_id, a.organisation_id
        """
    )


def downgrade():
    op.execute("DROP VIEW application_score_summary")
