# Makes the versions folder importable for the project's own tooling.
# Not a revision: it has no ``revision`` variable and Alembic skips
# files named __init__.py.
