"""create review scores

Revision ID: 0c9e3a58d7f2
Revises: b6f0d2c71e94
Create Date: 2025-02-14 15:22:08.305794

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0c9e3a58d7f2'
down_revision = 'b6f0d2c71e94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'review_scores',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('application_id', sa.BigInteger(), nullable=False),
        sa.Column('reviewer_id', sa.BigInteger(), nullable=False),
        sa.Column('criterion', sa.String(length=64), nullable=False),
        sa.Column('score', sa.SmallInteger(), nullable=False),
        sa.Column('rubric', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('scored_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_review_scores'),
        # A score can only be given by an assigned reviewer: FK onto the
        # composite primary key of review_assignments.
        sa.ForeignKeyConstraint(
            ['application_id', 'reviewer_id'],
            ['review_assignments.application_id', 'review_assignments.reviewer_id'],
            name='fk_review_scores_assignment',
            ondelete='CASCADE',
        ),
        sa.UniqueConstraint('application_id', 'reviewer_id', 'criterion', name='uq_review_scores_criterion'),
        sa.CheckConstraint('score BETWEEN 0 AND 10', name='ck_review_scores_score_range'),
    )
    # Only containment queries (rubric @> '{"band": "A"}') are needed here, so
    # the smaller and faster jsonb_path_ops opclass is enough.
    op.create_index(
        'ix_review_scores_rubric',
        'review_scores',
        ['rubric'],
        postgresql_using='gin',
        postgresql_ops={'rubric': 'jsonb_path_ops'},
    )


def downgrade():
    op.drop_index('ix_review_scores_rubric', table_name='review_scores')
    op.drop_table('review_scores')
