"""The real ``newsmon serve`` in a subprocess, for the workbench tests (browser, security).

``running_serve`` starts it on a free port, waits until Datasette answers, and stops it.
``max_memory`` caps the server's address space (RLIMIT_AS), so an attack that the
code under test fails to bound ends in a MemoryError inside that process instead of
exhausting the machine.
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"newsmon serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"newsmon serve did not answer {url} within {timeout}s")


@contextlib.contextmanager
def running_serve(
    db_path: Path, *, extra_args: tuple[str, ...] = (), env: dict | None = None,
    max_memory: int | None = None,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Yield (base URL on loopback, process) of ``newsmon serve --db db_path *extra_args``.

    No ``--host`` unless in ``extra_args``: the command's own default is what is tested.
    """
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    full_env.update(env or {})

    def cap_memory() -> None:
        if max_memory:
            resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))

    # Datasette logs every request: a file, not a pipe nobody reads (a full pipe would block the server).
    log = tempfile.TemporaryFile(mode="w+", prefix="newsmon-serve-log-")
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon", "serve", "--db", str(db_path), "--port", str(port),
         *extra_args],
        cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=log, text=True,
        preexec_fn=cap_memory,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for(f"{base}/-/versions.json", process)
        except RuntimeError as exc:
            log.seek(0)
            raise RuntimeError(f"{exc}: {log.read()[-2000:]}") from None
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
