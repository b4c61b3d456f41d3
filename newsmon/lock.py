"""One crawl at a time per database: an advisory lock file next to it.

flock is released by the kernel when the process dies, even by kill -9, so a
crashed crawl never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockHeld(Exception):
    """Another crawl holds the lock on this database."""


class LockError(Exception):
    """The lock file cannot be created or written (read-only folder, full disk)."""


def lock_path_for(db_path: str | Path) -> Path:
    return Path(f"{db_path}.lock")


@contextmanager
def crawl_lock(db_path: str | Path, *, wait: bool = False) -> Iterator[None]:
    path = lock_path_for(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed below, after the crawl
    except OSError as exc:
        raise LockError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise LockHeld(
                f"another newsmon crawl (pid {holder}) is running on {db_path}; "
                "wait for it, or use --wait to queue behind it"
            ) from None
        try:
            # Unbuffered: a failed write must not be retried (and fail again) when the file closes.
            os.ftruncate(handle.fileno(), 0)
            os.pwrite(handle.fileno(), str(os.getpid()).encode("ascii"), 0)
        except OSError as exc:
            raise LockError(f"cannot write the lock file {path}: {exc.strerror or exc}") from None
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
