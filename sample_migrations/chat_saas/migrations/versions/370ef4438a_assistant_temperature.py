"""assistant temperature

Revision ID: 370ef4438a
Revises: 9ef3dc485e74
Create Date: 2024-04-04 15:20:47.556118

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '370ef4438a'
down_revision = '9ef3dc485e74'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'assistants',
        sa.Column(
            'temperature',
            sa.Numeric(precision=3, scale=2),
            server_default='0.70',
            nullable=False,
        ),
    )
    op.create_check_constraint(
        'ck_assistants_temperature_range',
        'assistants',
        'temperature >= 0 AND temperature <= 2',
    )


def downgrade() -> None:
    op.drop_constraint('ck_assistants_temperature_range', 'assistants', type_='check')
    op.drop_column('assistants', 'temperature')
