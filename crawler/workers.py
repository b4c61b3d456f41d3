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
from concurrent.futures import Executor, ProcessPoolExecutor

logger = logging.getLogger(__name__)

_executor: ProcessPoolExecutor | None = None
_workers = 0


def _init_worker() -> None:
    # Warm the heavy imports once per worker, not on the first page.
    import newsmon.pipeline  # noqa: F401


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
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker
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
