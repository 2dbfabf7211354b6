"""merge reviews and audit branches; audit review scores

Revision ID: 4a1f6c9e3d27
Revises: 92f1e8b3a5c4, 2d7c5f0a9e16
Create Date: 2025-03-03 09:02:17.284659

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4a1f6c9e3d27'
down_revision = ('92f1e8b3a5c4', '2d7c5f0a9e16')
branch_labels = None
depends_on = None


def upgrade():
    # Needs both sides of the merge: review_scores (reviews branch) and
    # audit_events (audit branch).
    op.execute(
        """
        CREATE FUNCTION log_review_score() RETURNS trigger
        LANGUAGE plpgsql
        AS $$
        BEGIN
            INSERT INTO audit_events (actor_id, entity_type, entity_id, action, details)
            VALUES (
                NEW.reviewer_id,
                'review_score',
                NEW.id,
                lower(TG_OP),
                jsonb_build_object(
                    'application_id', NEW.application_id,
                    'criterion', NEW.criterion,
                    'score', NEW.score
                )
            );
            RETURN NEW;
        END;
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER trg_review_scores_audit
        AFTER INSERT OR UPDATE OF score ON review_scores
        FOR EACH ROW
        EXECUTE FUNCTION log_review_score()
        """
    )


def downgrade():
    op.execute("DROP TRIGGER trg_review_scores_audit ON review_scores")
    op.execute("DROP FUNCTION log_review_score()")
