"""add set_updated_at trigger

Revision ID: a4c8e1f7b352
Revises: 5e6f2b9a0d17
Create Date: 2025-01-22 11:28:37.514902

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4c8e1f7b352'
down_revision = '5e6f2b9a0d17'
branch_labels = None
depends_on = None


TRIGGER_TABLES = ('organisations', 'applications')


def upgrade():
    op.execute(
        """
        CREATE FUNCTION set_updated_at() RETURNS trigger
        LANGUAGE plpgsql
        AS $$
        BEGIN
            NEW.updated_at := now();
            RETURN NEW;
        END;
        $$
        """
    )
    for table in TRIGGER_TABLES:
        op.execute(
            f"""
            CREATE TRIGGER trg_{table}_set_updated_at
            BEFORE UPDATE ON {table}
            FOR EACH ROW
            EXECUTE FUNCTION set_updated_at()
            """
        )


def downgrade():
    for table in reversed(TRIGGER_TABLES):
        op.execute(f"DROP TRIGGER trg_{table}_set_updated_at ON {table}")
    op.execute("DROP FUNCTION set_updated_at()")
