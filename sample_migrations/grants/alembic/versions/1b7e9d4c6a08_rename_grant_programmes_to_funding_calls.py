"""rename grant_programmes to funding_calls

Revision ID: 1b7e9d4c6a08
Revises: e8c03b7d5f19
Create Date: 2025-03-17 15:58:03.447720

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '1b7e9d4c6a08'
down_revision = 'e8c03b7d5f19'
branch_labels = None
depends_on = None


# (old, new) names of objects that carry the table name.
CONSTRAINTS = [
    ('pk_grant_programmes', 'pk_funding_calls'),
    ('uq_grant_programmes_code', 'uq_funding_calls_code'),
    ('ck_grant_programmes_budget_non_negative', 'ck_funding_calls_budget_non_negative'),
    ('ck_grant_programmes_window', 'ck_funding_calls_window'),
]


def upgrade():
    op.rename_table('grant_programmes', 'funding_calls')
    op.execute('ALTER SEQUENCE grant_programmes_id_seq RENAME TO funding_calls_id_seq')
    for old, new in CONSTRAINTS:
        op.execute(f'ALTER TABLE funding_calls RENAME CONSTRAINT {old} TO {new}')
    op.execute(
        'ALTER TABLE applications RENAME CONSTRAINT '
        'fk_applications_programme_id_grant_programmes TO fk_applications_programme_id_funding_calls'
    )


def downgrade():
    op.execute(
        'ALTER TABLE applications RENAME CONSTRAINT '
        'fk_applications_programme_id_funding_calls TO fk_applications_programme_id_grant_programmes'
    )
    for old, new in reversed(CONSTRAINTS):
        op.execute(f'ALTER TABLE funding_calls RENAME CONSTRAINT {new} TO {old}')
    op.execute('ALTER SEQUENCE funding_calls_id_seq RENAME TO grant_programmes_id_seq')
    op.rename_table('funding_calls', 'grant_programmes')
