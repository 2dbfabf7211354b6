"""Database helpers shared by the models and the Alembic revisions."""
