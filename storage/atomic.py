"""Transactions that sqlite-utils' own commits cannot break, and migrations applied one process at a time.

sqlite-utils commits each write on its own unless a transaction is already
open (``Database.execute``, ``Table.insert``...), and Python's ``with
db.conn:`` does not open one: it only commits at the end whatever happens to
be pending. So several writes "in a with block" were several transactions.
:func:`write_transaction` opens one explicitly (``BEGIN IMMEDIATE``), so every
sqlite-utils call inside joins it (it nests as a savepoint) and a failure
anywhere rolls all of it back.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlite_utils import Database, Migrations

logger = logging.getLogger(__name__)

#: How long a process waits for another one that is migrating the same file.
MIGRATION_WAIT_SECONDS = 600.0


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """One transaction around everything in the block; a savepoint when one is already open.

    ``IMMEDIATE`` takes the write lock at the start: a transaction that reads
    and then writes cannot fail halfway because another writer committed in
    between (WAL would then refuse the write with SQLITE_BUSY, whatever the
    busy timeout).
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def migration_number(name: str) -> int:
    """``m510_minhash_duplicates`` → 510: migrations run in this order, whatever order they were defined in."""
    match = re.match(r"m(\d+)_", name)
    if not match:
        raise ValueError(f"migration name {name!r} does not start with m<number>_")
    return int(match.group(1))


class SerialMigrations(Migrations):
    """sqlite-utils' Migrations, applied in numeric order and by one process at a time.

    Two commands started together on an older file both saw the same pending
    migrations and both ran them; the second failed halfway ("table ...
    already exists"). Here the pending list is read again under the write lock
    (``BEGIN IMMEDIATE``), and every pending migration runs in that one
    transaction, so a second process waits, then finds nothing left to do.
    """

    def pending(self, db: Database) -> list[Migrations._Migration]:
        return sorted(super().pending(db), key=lambda m: migration_number(m.name))

    def apply(self, db: Database, *, stop_before: str | Iterable[str] | None = None) -> None:
        if self._is_current(db) and stop_before is None:
            return  # the common case: no lock taken, readers and writers undisturbed
        deadline = time.monotonic() + MIGRATION_WAIT_SECONDS
        while True:
            try:
                with write_transaction(db):
                    super().apply(db, stop_before=stop_before)
                return
            except sqlite3.OperationalError as exc:
                # busy_timeout already waited; a long migration in another process may still hold the lock
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                logger.info("database is being migrated by another process; waiting")

    def _is_current(self, db: Database) -> bool:
        return db[self.migrations_table].exists() and not self.pending(db)
