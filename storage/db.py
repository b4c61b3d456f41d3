"""Opening the database: WAL mode and migrations, every time, idempotently."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlite_utils

from storage.schema import migrations

logger = logging.getLogger(__name__)


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the newsmon database at ``path``.

    WAL lets Datasette read while a crawl writes; ``busy_timeout`` makes a
    second writer wait for the lock instead of failing at once.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    # synchronous=NORMAL is durable across process crashes in WAL mode; only
    # an OS crash may lose the last transactions, never corrupt the file.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    if migrate:
        migrations.apply(db)
    return db
