"""Extraction off the reactor: a process pool shared by every spider of a crawl.

trafilatura and language identification are CPU-bound (tens of milliseconds a
page). Run on Scrapy's event loop they would stall downloads; in threads they
would fight over the GIL. Worker processes use the machine's other cores while
the reactor keeps the network busy.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sqlite3
import threading
import time

from pebble import ProcessPool

logger = logging.getLogger(__name__)

_pool: ProcessPool | None = None
_workers = 0


def _exit_with_parent(parent: int) -> None:
    """A worker whose crawl died (kill -9 leaves no time to stop the pool) exits too."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _init_worker(parent: int) -> None:
    # pebble's workers already ignore SIGINT: Ctrl-C in a terminal reaches the whole
    # process group, and only the crawl process decides how to stop.
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="newsmon-parent-watch").start()
    # Warm the heavy imports once per worker, not on the first page.
    import crawler.steps  # noqa: F401


def default_workers() -> int:
    return os.cpu_count() or 1


def extraction_pool(workers: int) -> ProcessPool | None:
    """The shared pool (created on first use), or None to extract in-process (``workers == 0``).

    pebble, not ``concurrent.futures``: its pool kills the one worker whose task
    passed its timeout, and replaces a worker that died, failing only that
    worker's task (``ProcessExpired``). ``ProcessPoolExecutor`` can do neither:
    one dead worker breaks the whole pool and every page in it.
    """
    global _pool, _workers
    if workers <= 0:
        return None
    if _pool is None or _workers != workers:
        shutdown_pool()
        # spawn, not fork: the parent runs a reactor and threads that must not be copied.
        _pool = ProcessPool(
            max_workers=workers,
            initializer=_init_worker,
            initargs=(os.getpid(),),
            context=multiprocessing.get_context("spawn"),
        )
        _workers = workers
    return _pool


def shutdown_pool(*, kill: bool = False) -> None:
    """Stop the pool; ``kill`` ends the workers at once (a stuck extraction is not waited for)."""
    global _pool
    if _pool is not None:
        if kill:
            _pool.stop()
        else:
            _pool.close()
        _pool.join()
        _pool = None


def database_problem(exc: sqlite3.Error) -> str:
    """SQLite's reason in words a cron mail reader can act on."""
    text = str(exc)
    hints = {
        "file is not a database": "not a SQLite database (corrupt, or another kind of file)",
        "database disk image is malformed": "the database file is corrupt",
        "readonly database": "the database is read-only (file or folder permissions, read-only mount)",
        "database is locked": "the database is locked by another program writing to it",
        "disk is full": "the disk is full",
        "unable to open database file": "cannot open the database file (missing folder, permissions)",
    }
    for needle, words in hints.items():
        if needle in text:
            return f"{words} ({text})"
    return text


class DatabaseWriter:
    """One thread that does every database write of a crawl, on its own connection.

    Storing an article runs SQLite work (upsert, search-index and watchlist
    triggers) that takes milliseconds; on the reactor thread it would stall
    downloads. sqlite3 releases the GIL while SQLite runs, so this thread works
    in parallel with the reactor, and one writer means no lock contention
    between sources.
    """

    def __init__(self, db_path: str):
        from concurrent.futures import ThreadPoolExecutor

        self.db_path = db_path
        self._db = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsmon-db-writer")

    def _connection(self):
        if self._db is None:
            from storage import open_db

            self._db = open_db(self.db_path, migrate=False)
        return self._db

    def submit(self, fn, /, *args, **kwargs):
        """Run ``fn(db, *args, **kwargs)`` on the writer thread; returns a ``concurrent.futures.Future``."""
        return self._executor.submit(lambda: fn(self._connection(), *args, **kwargs))

    def close(self) -> None:
        def close_connection():
            if self._db is not None:
                self._db.close()
                self._db = None

        self._executor.submit(close_connection).result()
        self._executor.shutdown(wait=True)


_writers: dict[str, DatabaseWriter] = {}


def database_writer(db_path: str) -> DatabaseWriter:
    """The crawl's shared writer for ``db_path`` (created on first use)."""
    if db_path not in _writers:
        _writers[db_path] = DatabaseWriter(db_path)
    return _writers[db_path]


def close_writers() -> None:
    while _writers:
        _, writer = _writers.popitem()
        writer.close()
