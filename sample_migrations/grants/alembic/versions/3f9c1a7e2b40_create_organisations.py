"""create organisations

Revision ID: 3f9c1a7e2b40
Revises:
Create Date: 2025-01-06 10:12:44.118203

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f9c1a7e2b40'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'organisations',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('registration_number', sa.String(length=40), nullable=True),
        sa.Column('country_code', sa.CHAR(length=2), server_default='GB', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_organisations'),
        sa.UniqueConstraint('slug', name='uq_organisations_slug'),
        sa.CheckConstraint("slug ~ '^[a-z0-9-]+$'", name='ck_organisations_slug_format'),
    )


def downgrade():
    op.drop_table('organisations')
