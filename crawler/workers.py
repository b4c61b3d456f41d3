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
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor

logger = logging.getLogger(__name__)

_executor: ProcessPoolExecutor | None = None
_workers = 0


def _exit_with_parent(parent: int) -> None:
    """A worker whose crawl died (kill -9 leaves no time to stop the pool) exits too."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _init_worker(parent: int) -> None:
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="newsmon-parent-watch").start()
    # Warm the heavy imports once per worker, not on the first page.
    import crawler.steps  # noqa: F401


def default_workers() -> int:
    return os.cpu_count() or 1


def extraction_executor(workers: int) -> Executor | None:
    """The shared pool (created on first use), or None to extract in-process (``workers == 0``)."""
    global _executor, _workers
    if workers <= 0:
        return None
    if _executor is None or _workers != workers:
        shutdown_executor()
        # spawn, not fork: the parent runs a reactor and threads that must not be copied.
        _executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        _workers = workers
    return _executor


def reset_executor() -> None:
    """Drop a broken pool (a worker died); the next call builds a new one."""
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=False, cancel_futures=True)
    _executor = None


def shutdown_executor() -> None:
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=True, cancel_futures=True)
        _executor = None


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
