"""create assistants table

Revision ID: 67bc8a3c8137
Revises: 653a8cc6695e
Create Date: 2023-09-14 10:47:05.902317

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '67bc8a3c8137'
down_revision = '653a8cc6695e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assistants',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        # NULL owner means a built-in assistant provided by us
        sa.Column('owner_id', sa.BigInteger(), nullable=True),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('system_prompt', sa.Text(), nullable=True),
        sa.Column(
            'model',
            sa.String(length=64),
            server_default='gpt-3.5-turbo',
            nullable=False,
        ),
        sa.Column(
            'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_assistants_owner_id'), 'assistants', ['owner_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_assistants_owner_id'), table_name='assistants')
    op.drop_table('assistants')
