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
        run_pending_tasks(db)
    return db


def run_pending_tasks(db: sqlite_utils.Database) -> None:
    """Work a migration queued for today's code (``pending_tasks``), once, under the write lock.

    Migrations are frozen SQL; recomputing what depends on live code (MinHash
    signatures and their links, m601) happens here, in one transaction, so a
    second process waits and then finds nothing left to do.
    """
    if "pending_tasks" not in db.table_names() or not db.execute("select 1 from pending_tasks").fetchone():
        return
    from storage.atomic import write_transaction
    from storage.dedupe import recheck

    with write_transaction(db):
        if db.execute("select 1 from pending_tasks where name = 'dedupe_recheck'").fetchone():
            count = db.execute("select count(*) from articles").fetchone()[0]
            if count >= 10_000:
                logger.warning("re-checking the duplicates of %d stored articles once after the upgrade "
                               "(a few minutes per 100,000)", count)
            report = recheck(db)
            logger.info("duplicates rechecked: %s", report.summary())
            db.execute("delete from pending_tasks where name = 'dedupe_recheck'")
