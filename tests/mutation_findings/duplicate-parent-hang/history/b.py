revision = "b"
down_revision = ("a", "a")
