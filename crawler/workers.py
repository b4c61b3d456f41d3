"""Extraction off the reactor: a process pool shared by every spider of a crawl.

trafilatura and language identification are CPU-bound (tens of milliseconds a
page). Run on Scrapy's event loop they would stall downloads; in threads they
would fight over the GIL. Worker processes use the machine's other cores while
the reactor keeps the network busy.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sqlite3
import threading
import time
from concurrent.futures import Future, InvalidStateError
from concurrent.futures.process import BrokenProcessPool

from pebble import ProcessPool

logger = logging.getLogger(__name__)

_pool: ExtractionPool | None = None


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


class ExtractionPool:
    """pebble's process pool, with one replacement per breakage.

    pebble, not ``concurrent.futures``: its pool kills the one worker whose task
    passed its timeout, and replaces a worker that died, failing only that
    worker's task (``ProcessExpired``). ``ProcessPoolExecutor`` can do neither:
    one dead worker breaks the whole pool and every page in it. pebble still
    gives up on the whole pool when a worker dies while no task runs anywhere
    (it takes that for a failing initializer); then the first caller to see it
    replaces the pool, once per ``generation``, and the pages still waiting in
    the old one fail with ``BrokenProcessPool`` so their callers submit them again.
    """

    def __init__(self, workers: int):
        self.workers = workers
        self.generation = 0
        self._pool = self._new_pool()
        self._pending: set[Future] = set()

    def _new_pool(self) -> ProcessPool:
        # spawn, not fork: the parent runs a reactor and threads that must not be copied.
        return ProcessPool(
            max_workers=self.workers,
            initializer=_init_worker,
            initargs=(os.getpid(),),
            context=multiprocessing.get_context("spawn"),
        )

    def submit(self, fn, timeout: float | None, /, *args) -> tuple[Future, int]:
        """``(future, generation)``: ``fn(*args)`` in a worker, killed after ``timeout`` seconds."""
        generation = self.generation
        try:
            future = self._pool.submit(fn, timeout, *args)
        except RuntimeError:  # pebble: "Unexpected error within the Pool"
            self.replace(generation)
            generation = self.generation
            future = self._pool.submit(fn, timeout, *args)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return future, generation

    def replace(self, generation: int) -> bool:
        """Replace the pool if it is still that of ``generation``; True when this call did."""
        if generation != self.generation:
            return False
        old, stranded = self._pool, list(self._pending)
        self.generation += 1
        self._pool = self._new_pool()
        self._pending = set()
        for future in stranded:
            with contextlib.suppress(InvalidStateError):
                future.set_exception(BrokenProcessPool("the extraction pool was replaced"))
        old.stop()
        threading.Thread(target=old.join, daemon=True, name="newsmon-old-pool").start()
        return True

    def close(self, *, kill: bool = False) -> None:
        if kill:
            self._pool.stop()
        else:
            self._pool.close()
        self._pool.join()


def extraction_pool(workers: int) -> ExtractionPool | None:
    """The shared pool (created on first use), or None to extract in-process (``workers == 0``)."""
    global _pool
    if workers <= 0:
        return None
    if _pool is None or _pool.workers != workers:
        shutdown_pool()
        _pool = ExtractionPool(workers)
    return _pool


def shutdown_pool(*, kill: bool = False) -> None:
    """Stop the pool; ``kill`` ends the workers at once (a stuck extraction is not waited for)."""
    global _pool
    if _pool is not None:
        _pool.close(kill=kill)
        _pool = None


def run_with_deadline(fn, seconds: float, /, *args):
    """``fn(*args)`` in a child process killed after ``seconds`` (one page of an ad hoc fetch).

    Raises ``concurrent.futures.TimeoutError`` past the deadline and pebble's
    ``ProcessExpired`` when the child dies. The child is forked when this process
    runs no other thread (no imports to repeat: milliseconds), spawned otherwise
    (a lock held by another thread at the fork would stay held in the child).
    """
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPool(max_workers=1, context=multiprocessing.get_context(method))
    try:
        return pool.schedule(fn, args=args, timeout=seconds).result()
    finally:
        pool.stop()
        pool.join()


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

    def __init__(self, db_path: str, *, busy_timeout: float = 30.0):
        from concurrent.futures import ThreadPoolExecutor

        self.db_path = db_path
        self.busy_timeout = busy_timeout
        self._db = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsmon-db-writer")

    def _connection(self):
        if self._db is None:
            from storage import open_db

            self._db = open_db(self.db_path, migrate=False)
            self._db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
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


def database_writer(db_path: str, *, busy_timeout: float = 30.0) -> DatabaseWriter:
    """The crawl's shared writer for ``db_path`` (created on first use)."""
    if db_path not in _writers:
        _writers[db_path] = DatabaseWriter(db_path, busy_timeout=busy_timeout)
    return _writers[db_path]


def close_writers() -> None:
    while _writers:
        _, writer = _writers.popitem()
        writer.close()
