# -*- coding: utf-8 -*-
u"""create invoices table

Written in the old Python 2 compatible style: unicode string prefixes.

Revision ID: 8e6a2c0f4b37
Revises: 7d5f1b9e3a26
Create Date: 2024-08-19 10:21:09.577130

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = u'8e6a2c0f4b37'
down_revision = u'7d5f1b9e3a26'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        u'invoices',
        sa.Column(u'id', sa.Integer(), primary_key=True),
        sa.Column(u'order_id', sa.Integer(), sa.ForeignKey(u'orders.id'), nullable=False),
        sa.Column(u'amount_cents', sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table(u'invoices')
