"""Database servers the tests start, stop and remove themselves (never the shared ones)."""
