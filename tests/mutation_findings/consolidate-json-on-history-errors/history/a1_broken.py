revision = "a1"
down_revision = None


def upgrade(:
    pass
