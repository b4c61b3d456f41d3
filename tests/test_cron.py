"""Cron safety: the lock, kill -9 mid-crawl then resume, --max-runtime, --log-file, quiet output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import sqlite_utils

from newsmon.lock import crawl_lock
from tests.conftest import ROOT, newsmon_env, run_newsmon
from tests.fixtures.generated import GENERATED_SOURCE, generated_site
from tests.fixtures.server import FixtureServer

COUNT = 60


def child_pids(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
        return [int(p) for p in handle.read().split()]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def waiting_for_lock(pid: int) -> bool:
    """True while ``pid`` is blocked waiting for a file lock."""
    with open("/proc/locks", encoding="ascii") as handle:
        return any(line.split()[1] == "->" and line.split()[5] == str(pid) for line in handle if "->" in line)


def start_generated(delay: float, port: int = 0) -> FixtureServer:
    server = FixtureServer({}, port=port).start()
    server.routes.update(generated_site(COUNT, delay=delay))
    return server


def test_second_crawl_is_refused_while_one_holds_the_lock(tmp_path):
    db_path = tmp_path / "n.db"
    sources = tmp_path / "s.toml"
    sources.write_text(GENERATED_SOURCE.format(base="http://127.0.0.1:9"))
    with crawl_lock(db_path):
        result = run_newsmon("crawl", "--db", str(db_path), "--sources", str(sources))
    assert result.returncode == 3
    assert f"another newsmon crawl (pid {os.getpid()}) is running on {db_path}" in result.stderr
    assert not db_path.exists()  # refused before touching the database


def test_wait_queues_behind_the_running_crawl(tmp_path):
    server = start_generated(delay=0)
    try:
        db_path = tmp_path / "n.db"
        sources = tmp_path / "s.toml"
        sources.write_text(GENERATED_SOURCE.format(base=server.base_url))
        with crawl_lock(db_path):
            waiting = subprocess.Popen(
                [sys.executable, "-m", "newsmon", "crawl", "--wait", "--db", str(db_path), "--sources", str(sources)],
                cwd=ROOT, env=newsmon_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            # Blocked in flock on the lock file: the kernel lists it as a waiter ("->") in /proc/locks.
            # (A bare poll() right after start would pass for a process still importing.)
            deadline = time.monotonic() + 60
            while not waiting_for_lock(waiting.pid):
                assert waiting.poll() is None, waiting.communicate()
                assert time.monotonic() < deadline, "the second crawl never waited for the lock"
                time.sleep(0.1)
            assert not server.paths()
        out, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
        assert f"new {COUNT}" in out
    finally:
        server.stop()


def test_kill_9_mid_crawl_loses_nothing_and_next_run_completes(tmp_path):
    db_path = tmp_path / "n.db"
    sources = tmp_path / "s.toml"
    slow = start_generated(delay=1.0)  # 16 parallel requests on loopback: about 4 s for the site
    port = slow.server_address[1]
    try:
        sources.write_text(GENERATED_SOURCE.format(base=slow.base_url))
        process = subprocess.Popen(
            [sys.executable, "-m", "newsmon", "crawl", "--db", str(db_path), "--sources", str(sources)],
            cwd=ROOT, env=newsmon_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if db_path.exists():
                try:
                    stored = sqlite_utils.Database(db_path).execute("select count(*) from articles").fetchone()[0]
                except Exception:  # tables not created yet
                    stored = 0
            if stored >= 4:
                break
        workers = child_pids(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert 4 <= stored < COUNT
        assert workers  # the extraction pool was running...
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not [pid for pid in workers if alive(pid)]  # ...and did not outlive the killed crawl
    finally:
        slow.stop()
    db = sqlite_utils.Database(db_path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    after_kill = {row["url"]: row["content_hash"] for row in db.query("select url, content_hash from articles")}
    assert len(after_kill) >= stored
    db.close()

    fast = start_generated(delay=0, port=port)  # the same site, now answering quickly
    try:
        sources.write_text(GENERATED_SOURCE.format(base=fast.base_url))
        result = run_newsmon("crawl", "--db", str(db_path), "--sources", str(sources))
    finally:
        fast.stop()
    assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(db_path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    urls = [row["url"] for row in db.query("select url from articles")]
    assert len(urls) == len(set(urls)) == COUNT
    runs = list(db.query("select status, error from crawl_runs order by id"))
    assert runs[0]["status"] == "interrupted" and "ended without finishing" in runs[0]["error"]
    assert runs[1]["status"] == "ok"
    # what the killed run committed was not downloaded again
    fetched = [p for p in fast.paths() if "/case-" in p]
    assert len(fetched) == COUNT - len(after_kill)


def test_max_runtime_stops_a_slow_crawl_as_partial(tmp_path):
    # 80 pages of 2 s each: at 16 parallel requests (loopback) the crawl needs over 10 s.
    server = FixtureServer(generated_site(80, delay=2.0)).start()
    try:
        db_path = tmp_path / "n.db"
        sources = tmp_path / "s.toml"
        sources.write_text(GENERATED_SOURCE.format(base=server.base_url))
        started = time.monotonic()
        result = run_newsmon("crawl", "--max-runtime", "3", "--db", str(db_path), "--sources", str(sources))
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("generated: partial:")
    assert "stopped at --max-runtime" in result.stdout
    assert "translation: skipped, --max-runtime reached" in result.stdout  # no time left for it
    assert elapsed < 30
    assert sqlite_utils.Database(db_path)["articles"].count < 80
    status = next(sqlite_utils.Database(db_path).query("select status from crawl_runs"))["status"]
    assert status == "partial"


def test_quiet_on_success_and_log_file_has_detail(tmp_path, site_server, site_sources):
    log_file = tmp_path / "logs" / "crawl.log"
    result = run_newsmon("crawl", "--db", str(tmp_path / "n.db"), "--sources", str(site_sources), "--log-file", str(log_file))
    assert result.returncode == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    # one summary line per source, then the translation step's one line
    assert [line.split(":")[0] for line in lines] == ["fixture-en", "fixture-ru", "fixture-it", "translation"]
    log = log_file.read_text(encoding="utf-8")
    assert "HTTP 404" in log and "fixture-en" in log
