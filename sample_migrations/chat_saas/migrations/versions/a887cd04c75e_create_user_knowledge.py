"""create user_knowledge

Revision ID: a887cd04c75e
Revises: 3042751a135a
Create Date: 2023-12-12 16:18:27.930564

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a887cd04c75e'
down_revision = '513ad17bea34'
branch_labels = None
depends_on = None

# Rebased on top of the email backfill, which was merged to main first.
down_revision = '3042751a135a'


def upgrade():
    op.create_table(
        'user_knowledge',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('document_id', sa.BigInteger(), nullable=False),
        sa.Column(
            'assistant_id',
            sa.BigInteger(),
            nullable=True,
            comment='Limit the document to a single assistant; NULL means all of them',
        ),
        sa.Column('access_level', sa.String(length=16), server_default='read', nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['assistant_id'], ['assistants.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'document_id', name='uq_user_knowledge_user_document'),
    )
    op.create_index(
        op.f('ix_user_knowledge_document_id'), 'user_knowledge', ['document_id'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_user_knowledge_document_id'), table_name='user_knowledge')
    op.drop_table('user_knowledge')
