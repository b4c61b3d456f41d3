"""A crawl never hangs: pathological pages, --max-runtime, Ctrl-C, a killed worker; one line per failure.

Each test runs the real ``newsmon crawl`` in a subprocess against a loopback site and
asserts on what it printed, its exit code and the SQLite file, never on timings.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlite_utils

from newsmon.lock import crawl_lock
from tests.conftest import ROOT, newsmon_env, run_newsmon
from tests.fixtures.generated import GENERATED_SOURCE, generated_article, generated_site
from tests.fixtures.server import FixtureServer, Route
from tests.fixtures.sites import listing_page

SLOW_PATH = "/en/news/2026/11/20/case-900"
HUGE_PATH = "/en/news/2026/11/20/case-901"
SLOW_PATH_2 = "/en/news/2026/11/20/case-902"


def tiny_elements_page(count: int) -> str:
    """An "article" of ``count`` tiny elements: trafilatura's time grows faster than quadratically."""
    return f"<html><body><article><h1>Many tiny elements</h1><p>{'<i>a</i>' * count}</p></article></body></html>"


def pathological_site(count: int, *, slow_elements: int, huge: bool = False, delay: float = 0.0,
                      two_slow: bool = False, slow_delay: float = 0.0) -> dict[str, Route]:
    routes = generated_site(count, delay=delay)
    links = f'<a href="{SLOW_PATH}">slow</a>' + (f'<a href="{HUGE_PATH}">huge</a>' if huge else "")
    if two_slow:
        links += f'<a href="{SLOW_PATH_2}">slow too</a>'
        routes[SLOW_PATH_2] = Route(tiny_elements_page(slow_elements), delay=slow_delay)
    articles = [generated_article(n) for n in range(count)]
    routes["/en/news/"] = Route(listing_page("en", articles, extra_links=links))
    routes[SLOW_PATH] = Route(tiny_elements_page(slow_elements), delay=slow_delay)
    if huge:
        routes[HUGE_PATH] = Route(tiny_elements_page(200_000))
    return routes


def crawl_rows(db_path) -> list[dict]:
    return list(sqlite_utils.Database(db_path).query("select status, error, errors_by_kind from crawl_runs order by id"))


def lock_is_free(db_path) -> bool:
    try:
        with crawl_lock(db_path):
            return True
    except Exception:  # noqa: BLE001 - LockHeld
        return False


def test_pathological_pages_are_cut_off_and_counted_once(tmp_path):
    server = FixtureServer(pathological_site(3, slow_elements=35_000, huge=True)).start()
    try:
        db_path, sources = tmp_path / "n.db", tmp_path / "s.toml"
        sources.write_text(GENERATED_SOURCE.format(base=server.base_url))
        env = {"NEWSMON_EXTRACT_TIMEOUT": "3", "NEWSMON_EXTRACT_WORKERS": "1"}
        result = run_newsmon("crawl", "--no-translate", "--db", str(db_path), "--sources", str(sources), env=env)
        again = run_newsmon("crawl", "--no-translate", "--db", str(db_path), "--sources", str(sources), env=env)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("generated: ok: pages 7, new 3,"), result.stdout  # robots.txt, listing, 5 pages
    assert "extract_timeout 1" in result.stdout and "too_large 1" in result.stdout
    # the worker killed at the deadline was replaced: the articles after it were extracted
    assert sqlite_utils.Database(db_path)["articles"].count == 3
    # never retried in a loop: not in this run, and not in the next one
    assert server.paths().count(SLOW_PATH) == 1 and server.paths().count(HUGE_PATH) == 1
    assert again.returncode == 0, again.stderr
    states = {row["url"]: row["reason"] for row in sqlite_utils.Database(db_path).query("select url, reason from url_state")}
    assert states[server.url(SLOW_PATH)] == "extract_timeout"
    assert states[server.url(HUGE_PATH)] == "too_large"


def test_max_runtime_is_a_hard_deadline_even_when_extraction_is_stuck(tmp_path):
    # 45,000 tiny elements: tens of seconds of extraction, allowed 10 minutes here.
    server = FixtureServer(pathological_site(2, slow_elements=45_000)).start()
    try:
        db_path, sources = tmp_path / "n.db", tmp_path / "s.toml"
        sources.write_text(GENERATED_SOURCE.format(base=server.base_url))
        env = {"NEWSMON_EXTRACT_TIMEOUT": "600", "NEWSMON_STOP_GRACE": "1", "NEWSMON_EXTRACT_WORKERS": "1"}
        result = run_newsmon("crawl", "--no-translate", "--max-runtime", "2", "--db", str(db_path),
                             "--sources", str(sources), env=env, timeout=120)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("generated: partial:"), result.stdout
    assert "stopped at --max-runtime; work in flight abandoned" in result.stdout
    assert [row["status"] for row in crawl_rows(db_path)] == ["partial"]
    assert lock_is_free(db_path)
    assert "Traceback" not in result.stderr


def start_crawl(db_path, sources, env: dict | None = None) -> subprocess.Popen:
    """``newsmon crawl`` in its own process group, as a terminal would run it."""
    return subprocess.Popen(
        [sys.executable, "-m", "newsmon", "crawl", "--no-translate", "--db", str(db_path), "--sources", str(sources)],
        cwd=ROOT, env=newsmon_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.1)


@pytest.mark.parametrize(("signum", "group"), [(signal.SIGINT, True), (signal.SIGTERM, False)], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_cleanly_with_summary_and_exit_130(tmp_path, signum, group):
    server = FixtureServer(generated_site(60, delay=1.0)).start()
    try:
        db_path, sources = tmp_path / "n.db", tmp_path / "s.toml"
        sources.write_text(GENERATED_SOURCE.format(base=server.base_url))
        process = start_crawl(db_path, sources)
        wait_for(lambda: sum("/case-" in p for p in server.paths()) >= 4)
        if group:
            os.killpg(process.pid, signum)  # Ctrl-C in a terminal: the whole group, workers included
        else:
            os.kill(process.pid, signum)  # kill, systemd, cron's timeout: the main process only
        out, err = process.communicate(timeout=120)
    finally:
        server.stop()
    assert process.returncode == 128 + signum, err
    assert out.startswith("generated: interrupted:"), out
    assert "Aborted" not in err and "Traceback" not in err
    assert f"newsmon: crawl interrupted by {signal.Signals(signum).name}" in err
    assert [row["status"] for row in crawl_rows(db_path)] == ["interrupted"]
    assert lock_is_free(db_path)


def test_second_ctrl_c_ends_at_once(tmp_path):
    server = FixtureServer(generated_site(10, delay=60.0)).start()  # every article takes a minute
    try:
        db_path, sources = tmp_path / "n.db", tmp_path / "s.toml"
        sources.write_text(GENERATED_SOURCE.format(base=server.base_url))
        process = start_crawl(db_path, sources, {"NEWSMON_STOP_GRACE": "600"})
        wait_for(lambda: any("/case-" in p for p in server.paths()))
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(1)
        assert process.poll() is None  # the first one waits for the downloads in flight...
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=30)  # ...the second does not (they need a minute)
    finally:
        server.stop()
    assert process.returncode == 130, err
    assert "SIGINT again: stopped at once" in err
    assert lock_is_free(db_path)


def worker_pids(pid: int) -> list[int]:
    pids = []
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
        for child in handle.read().split():
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                if b"resource_tracker" not in cmdline.read():
                    pids.append(int(child))
    return pids


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().split(")")[-1].split()
    return int(fields[11]) + int(fields[12])


def test_a_killed_worker_is_replaced_once_and_every_page_extracted(tmp_path):
    # Two slow pages, served once the workers (one per core) have started extracting the
    # articles, keep them busy; one of them is killed mid-page.
    server = FixtureServer(pathological_site(20, slow_elements=30_000, two_slow=True, slow_delay=3.0)).start()
    try:
        db_path, sources = tmp_path / "n.db", tmp_path / "s.toml"
        sources.write_text(GENERATED_SOURCE.format(base=server.base_url))
        process = start_crawl(db_path, sources, {"NEWSMON_EXTRACT_TIMEOUT": "600"})

        def stored() -> int:
            try:
                return sqlite_utils.Database(db_path).execute("select count(*) from articles").fetchone()[0]
            except Exception:  # noqa: BLE001 - tables not created yet
                return 0

        wait_for(lambda: stored() >= 1 and SLOW_PATH in server.paths() and SLOW_PATH_2 in server.paths())
        busy: list[int] = []

        def find_busy_worker() -> bool:  # extracting (burning CPU), not idle between pages
            try:
                before = {pid: cpu_ticks(pid) for pid in worker_pids(process.pid)}
                time.sleep(1.0)
                busy[:] = [pid for pid, ticks in before.items() if cpu_ticks(pid) - ticks >= 10]  # 0.1 s in 1 s
            except FileNotFoundError:  # a process ended meanwhile
                assert process.poll() is None, process.communicate()
                return False
            return bool(busy)

        wait_for(find_busy_worker)
        worker = busy[0]
        os.kill(worker, signal.SIGKILL)
        out, err = process.communicate(timeout=180)
    finally:
        server.stop()
    assert process.returncode == 0, err
    assert err.count("extraction worker died") == 1, err
    (row,) = crawl_rows(db_path)
    assert row["status"] == "ok"
    assert "extraction_failed" not in json.loads(row["errors_by_kind"])
    assert sqlite_utils.Database(db_path)["articles"].count >= 20


def test_quiet_crawl_without_network_prints_failures_only(tmp_path):
    sources = tmp_path / "s.toml"
    # Nothing listens on port 9 of loopback: every request, robots.txt included, is refused.
    sources.write_text(GENERATED_SOURCE.format(base="http://127.0.0.1:9")
                       + GENERATED_SOURCE.replace('"generated"', '"generated-2"').format(base="http://127.0.0.2:9"))
    result = run_newsmon("-q", "crawl", "--no-translate", "--db", str(tmp_path / "n.db"), "--sources", str(sources))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "newsmon: source generated failed: http://127.0.0.1:9/en/news/: connection refused",
        "newsmon: source generated-2 failed: http://127.0.0.2:9/en/news/: connection refused",
    ]
    assert len(result.stdout.splitlines()) == 2


def test_a_dropped_page_is_one_line_never_its_html(tmp_path):
    marker = "MARKER-" + "x" * 50
    routes = generated_site(2)
    routes["/en/news/"] = Route(listing_page("en", [generated_article(n) for n in range(2)],
                                             extra_links=f'<a href="{SLOW_PATH}">empty</a>'))
    routes[SLOW_PATH] = Route(f"<html><body><p>{marker}</p></body></html>")  # no article text
    server = FixtureServer(routes).start()
    try:
        sources = tmp_path / "s.toml"
        sources.write_text(GENERATED_SOURCE.format(base=server.base_url))
        quiet = run_newsmon("crawl", "--no-translate", "--db", str(tmp_path / "a.db"), "--sources", str(sources))
        verbose = run_newsmon("-v", "crawl", "--no-translate", "--db", str(tmp_path / "b.db"), "--sources", str(sources))
    finally:
        server.stop()
    assert quiet.returncode == verbose.returncode == 0
    assert "no_article_text 1" in quiet.stdout
    assert quiet.stderr == ""
    assert marker not in verbose.stderr
    lines = [line for line in verbose.stderr.splitlines() if SLOW_PATH in line and "no article text" in line]
    assert len(lines) == 1


def test_the_pool_is_replaced_once_when_pebble_gives_up_on_it():
    """pebble breaks the whole pool when a worker dies while no task runs: one replacement, pages go on."""
    from concurrent.futures.process import BrokenProcessPool

    from crawler.workers import ExtractionPool

    pool = ExtractionPool(1)
    try:
        future, _ = pool.submit(os.getpid, 120)
        worker = future.result(timeout=120)  # the worker is up and idle
        os.kill(worker, signal.SIGKILL)
        wait_for(lambda: not os.path.exists(f"/proc/{worker}/cmdline") or open(f"/proc/{worker}/cmdline").read() == "")
        replaced = 0
        for _ in range(2):  # as the extraction pipeline does: one more try after a breakage
            future, generation = pool.submit(os.getpid, 120)
            try:
                pid = future.result(timeout=120)
                break
            except BrokenProcessPool:
                replaced += pool.replace(generation)
                assert not pool.replace(generation)  # a second caller of the same generation replaces nothing
        assert pid != worker
        assert pool.generation == 1 and replaced <= 1
    finally:
        pool.close(kill=True)
