"""sites: country_code NOT NULL, add coordinates

Every site created before the route planner shipped is in Germany; backfill
them, then make the column required. The coordinates are filled in by the
geocoding worker.

Revision ID: 2d010eff11d9
Revises: 426e971675b1
Create Date: 2025-07-08 11:20:41.662395+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '2d010eff11d9'
down_revision: Union[str, Sequence[str], None] = '426e971675b1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("UPDATE sites SET country_code = 'DE' WHERE country_code IS NULL")
    op.alter_column('sites', 'country_code',
               existing_type=sa.String(length=2),
               nullable=False)
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True))
        batch_op.create_check_constraint(
            'ck_sites_coordinates_pair',
            '(latitude IS NULL) = (longitude IS NULL)',
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_constraint('ck_sites_coordinates_pair', type_='check')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
    op.alter_column('sites', 'country_code',
               existing_type=sa.String(length=2),
               nullable=True)
