"""set_updated_at: skip no-op updates, cover users

Revision ID: 9e3c6a2d8b51
Revises: 07f4b1e6d9a2
Create Date: 2025-04-08 16:44:15.603349

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "9e3c6a2d8b51"
down_revision: Union[str, None] = "07f4b1e6d9a2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Body as created in a4c8e1f7b352; restored on downgrade.
PREVIOUS_BODY = """
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$
"""

# Only bump updated_at when something actually changed, and use the wall
# clock rather than the transaction start time.
NEW_BODY = """
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.updated_at := clock_timestamp();
    END IF;
    RETURN NEW;
END;
$$
"""


def upgrade() -> None:
    op.execute(NEW_BODY)
    op.execute(
        """
        CREATE TRIGGER trg_users_set_updated_at
        BEFORE UPDATE ON users
        FOR EACH ROW
        EXECUTE FUNCTION set_updated_at()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER trg_users_set_updated_at ON users")
    op.execute(PREVIOUS_BODY)
