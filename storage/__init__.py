"""SQLite storage for newsmon: the one place that knows the schema.

Everything else reads and writes through the functions here, so the schema can
evolve through migrations without touching the crawler or the translator.
"""

from storage.db import open_db

__all__ = ["open_db"]
