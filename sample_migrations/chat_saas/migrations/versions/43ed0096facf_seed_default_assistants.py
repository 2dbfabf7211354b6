"""seed default assistants

Revision ID: 43ed0096facf
Revises: 91d909a479bd
Create Date: 2023-10-10 13:32:57.640021

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '43ed0096facf'
down_revision = '91d909a479bd'
branch_labels = None
depends_on = None


assistants_table = sa.table(
    'assistants',
    sa.column('name', sa.String),
    sa.column('slug', sa.String),
    sa.column('system_prompt', sa.Text),
    sa.column('model', sa.String),
    sa.column('is_public', sa.Boolean),
)


def upgrade():
    op.add_column('assistants', sa.Column('slug', sa.String(length=64), nullable=True))
    op.add_column(
        'assistants',
        sa.Column('is_public', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index(op.f('ix_assistants_slug'), 'assistants', ['slug'], unique=True)

    op.bulk_insert(
        assistants_table,
        [
            {
                'name': 'General assistant',
                'slug': 'general',
                'system_prompt': 'You are a helpful assistant.',
                'model': 'gpt-3.5-turbo',
                'is_public': True,
            },
            {
                'name': 'Code helper',
                'slug': 'coder',
                'system_prompt': 'You are an expert programmer. Answer with code first.',
                'model': 'gpt-4',
                'is_public': True,
            },
            {
                'name': 'Translator',
                'slug': 'translator',
                'system_prompt': 'Translate the user message, keep formatting intact.',
                'model': 'gpt-3.5-turbo',
                'is_public': True,
            },
            {
                'name': 'Summarizer',
                'slug': 'summarizer',
                'system_prompt': 'Summarize the provided text in at most five bullet points.',
                'model': 'gpt-3.5-turbo',
                'is_public': True,
            },
        ],
    )


def downgrade():
    op.execute(
        "DELETE FROM assistants WHERE owner_id IS NULL "
        "AND slug IN ('general', 'coder', 'translator', 'summarizer')"
    )
    op.drop_index(op.f('ix_assistants_slug'), table_name='assistants')
    op.drop_column('assistants', 'is_public')
    op.drop_column('assistants', 'slug')
