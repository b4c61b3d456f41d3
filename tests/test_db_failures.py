"""A database that cannot be used: one line naming the file and the cause, exit 1, nothing stored lost.

Tests run as root, for whom file permissions do not stop a write: read-only is an
immutable file (``chattr +i``), a full disk a small tmpfs mount. Where the machine
refuses those, the test is skipped with the reason.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlite_utils

from storage import open_db
from tests.conftest import ROOT, newsmon_env, run_newsmon
from tests.fixtures.generated import GENERATED_SOURCE, generated_site
from tests.fixtures.server import FixtureServer, Gate


@pytest.fixture
def generated_server():
    server = FixtureServer(generated_site(40)).start()
    yield server
    server.stop()


@pytest.fixture
def sources(tmp_path, generated_server) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(GENERATED_SOURCE.format(base=generated_server.base_url))
    return path


def crawl(db_path, sources, **env) -> subprocess.CompletedProcess:
    return run_newsmon("-q", "crawl", "--no-translate", "--db", str(db_path), "--sources", str(sources), env=env)


def assert_one_line(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_corrupt_database(tmp_path, sources):
    db_path = tmp_path / "n.db"
    db_path.write_bytes(b"this is no SQLite file\x00\x01\x02" * 200)
    assert_one_line(crawl(db_path, sources), str(db_path), "not a SQLite database")


def test_read_only_database(tmp_path, sources):
    db_path = tmp_path / "n.db"
    open_db(db_path).close()
    if subprocess.run(["chattr", "+i", str(db_path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported here")
    try:
        result = crawl(db_path, sources)
    finally:
        subprocess.run(["chattr", "-i", str(db_path)], check=True)
    assert_one_line(result, str(db_path), "read-only")


def test_database_locked_by_another_writer(tmp_path, sources):
    db_path = tmp_path / "n.db"
    open_db(db_path).close()
    other = sqlite3.connect(db_path)
    other.execute("BEGIN EXCLUSIVE")
    try:
        result = crawl(db_path, sources, NEWSMON_BUSY_TIMEOUT="1")
    finally:
        other.rollback()
        other.close()
    assert_one_line(result, str(db_path), "locked by another program")


def test_database_locked_during_a_crawl_stops_it_with_one_line(tmp_path, generated_server):
    # The first three article requests are answered at once; the others wait until the lock is
    # held (no race: a fast crawl used to store all 40 before the test's first look at the file).
    released = Gate(free=3)
    site = generated_site(40)
    for path in [p for p in site if "/case-" in p]:
        site[path] = dataclasses.replace(site[path], gate=released)
    generated_server.routes.update(site)
    sources = tmp_path / "s.toml"
    sources.write_text(GENERATED_SOURCE.format(base=generated_server.base_url))
    db_path = tmp_path / "n.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon", "-q", "crawl", "--no-translate", "--db", str(db_path), "--sources", str(sources)],
        cwd=ROOT, env=newsmon_env({"NEWSMON_BUSY_TIMEOUT": "1"}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    other = None
    while other is None:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.1)
        try:
            if sqlite3.connect(db_path).execute("select count(*) from articles").fetchone()[0]:
                other = sqlite3.connect(db_path, timeout=30)
                other.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than the crawl waits
        except sqlite3.OperationalError:  # tables not created yet
            pass
    released.set()
    try:
        out, err = process.communicate(timeout=120)
    finally:
        other.rollback()
        other.close()
    assert process.returncode == 1, out + err
    assert "Traceback" not in err
    assert out.startswith("generated: failed:"), out
    assert f"newsmon: source generated failed: database {db_path}: the database is locked by another program" in err
    db = sqlite_utils.Database(db_path)
    stored = db["articles"].count
    assert 0 < stored < 40 and f"new {stored}," in out  # what the summary counted is what is stored
    db.close()


@contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def test_disk_full_during_a_crawl_stops_it_as_failed_and_keeps_what_was_stored(tmp_path, sources):
    with tmpfs(tmp_path / "small", "4m") as mount:
        db_path = mount / "n.db"
        open_db(db_path).close()
        used = sum(f.stat().st_size for f in mount.iterdir())
        # A few articles' room: the 40 articles of the site need several times more.
        subprocess.run(["mount", "-o", f"remount,size={used + 400 * 1024}", str(mount)], check=True)
        result = crawl(db_path, sources)
        subprocess.run(["mount", "-o", "remount,size=16m", str(mount)], check=True)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout.startswith("generated: failed:"), result.stdout
        assert f"newsmon: source generated failed: database {db_path}: the disk is full" in result.stderr
        # The run's final row needs room too. Whether the page it lands on has room depends on
        # where the disk filled: recorded as failed, or said in one line and marked by the next run.
        unrecorded = f"cannot record the end of the run in {db_path}: the disk is full" in result.stderr
        assert len(result.stderr.splitlines()) == (2 if unrecorded else 1), result.stderr
        db = sqlite_utils.Database(db_path)
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        stored = [row["url"] for row in db.query("select url from articles")]
        assert 0 < len(stored) < 40
        assert f"new {len(stored)}," in result.stdout  # what the summary counted is what is stored
        db.close()

        again = crawl(db_path, sources)  # with room again: nothing stored was lost, the rest is fetched
        assert again.returncode == 0, again.stderr
        db = sqlite_utils.Database(db_path)
        after = [row["url"] for row in db.query("select url from articles")]
        assert len(after) == 40 and set(stored) <= set(after)
        first = "interrupted" if unrecorded else "failed"
        assert [row["status"] for row in db.query("select status from crawl_runs order by id")] == [first, "ok"]
        db.close()


def test_full_disk_when_writing_the_lock(tmp_path, sources):
    with tmpfs(tmp_path / "full", "64k") as mount:
        with open(mount / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        result = crawl(mount / "n.db", sources)
    assert_one_line(result, f"lock file {mount / 'n.db.lock'}", "No space left on device")
