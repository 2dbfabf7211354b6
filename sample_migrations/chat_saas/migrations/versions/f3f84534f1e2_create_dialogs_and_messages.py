# -*- coding: utf-8 -*-
u"""create dialogs and dialog_messages

Revision ID: f3f84534f1e2
Revises: 7b4b13464cb9
Create Date: 2023-09-27 11:05:39.771046

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = u'f3f84534f1e2'
down_revision = u'7b4b13464cb9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        u'dialogs',
        sa.Column(u'id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(u'user_id', sa.BigInteger(), nullable=False),
        sa.Column(u'assistant_id', sa.BigInteger(), nullable=True),
        sa.Column(u'title', sa.String(length=255), nullable=True),
        sa.Column(
            u'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text(u'now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint([u'user_id'], [u'users.id'], ondelete=u'CASCADE'),
        sa.ForeignKeyConstraint([u'assistant_id'], [u'assistants.id'], ondelete=u'SET NULL'),
        sa.PrimaryKeyConstraint(u'id'),
    )
    op.create_index(op.f(u'ix_dialogs_user_id'), u'dialogs', [u'user_id'], unique=False)

    op.create_table(
        u'dialog_messages',
        sa.Column(u'id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(u'dialog_id', sa.BigInteger(), nullable=False),
        sa.Column(u'role', sa.String(length=16), nullable=False),
        sa.Column(u'content', sa.Text(), nullable=False),
        sa.Column(
            u'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text(u'now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint([u'dialog_id'], [u'dialogs.id'], ondelete=u'CASCADE'),
        sa.PrimaryKeyConstraint(u'id'),
    )
    op.create_check_constraint(
        u'ck_dialog_messages_role',
        u'dialog_messages',
        u"role IN ('system', 'user', 'assistant', 'tool')",
    )


def downgrade():
    op.drop_constraint(u'ck_dialog_messages_role', u'dialog_messages', type_=u'check')
    op.drop_table(u'dialog_messages')
    op.drop_index(op.f(u'ix_dialogs_user_id'), table_name=u'dialogs')
    op.drop_table(u'dialogs')
