"""initial

The application creates its tables with ``db.create_all()`` and stamps the
database at this revision; the history only records changes made after.

Revision ID: 0d4b7e21c9a3
Revises:
Create Date: 2021-03-04 09:12:40.118230

"""

# revision identifiers, used by Alembic.
revision = "0d4b7e21c9a3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
