"""Scale-out on Redis: workers lease whole sources, ingest stores their articles once.

Real processes throughout: a redis-server started by the test on a free
loopback port, fixture sites on loopback, `newsmon schedule`, `worker` and
`ingest` as subprocesses, and the SQLite file they fill.
"""

from __future__ import annotations

import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT, newsmon_env, run_newsmon
from tests.fixtures.generated import generated_site
from tests.fixtures.server import FixtureServer, Route

redis = pytest.importorskip("redis")
REDIS_SERVER = shutil.which("redis-server")
pytestmark = [
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed (scripts/install-system-deps.sh)"),
    pytest.mark.timeout(300),
]

#: Short leases, so a killed worker's source is taken over within seconds.
LEASE_TTL = "3"
WORKER_FLAGS = ("--exit-when-idle", "--extract-workers", "0", "--poll", "0.2", "--lease-ttl", LEASE_TTL)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server on a free loopback port (never a system service); restartable on the same port."""

    def __init__(self, workdir: Path, *, durable: bool = False):
        self.port = _free_port()
        self.workdir = workdir
        self.durable = durable  # an append-only file, so a restart keeps the queue (as a production setup would)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.durable else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persistence,
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except (redis.ConnectionError, redis.BusyLoadingError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise
                time.sleep(0.05)
        client.close()
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path, durable=True).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    return redis_server.url


def slow_site(site: int, count: int, *, delay: float) -> dict[str, Route]:
    """A listing of ``count`` articles whose pages answer after ``delay`` seconds; text distinct per site."""
    return generated_site(count, delay=delay, first=site * 100)


def sources_file(tmp_path: Path, servers: list[FixtureServer], *, download_delay: float = 0, extra: str = "") -> Path:
    tables = []
    for index, server in enumerate(servers):
        tables.append(f"""
[[source]]
name = "site{index}"
country = "UZ"
kind = "police"
language = "en"
start_urls = ["{server.base_url}/en/news/"]
article_urls = '/en/news/\\d{{4}}/\\d{{2}}/\\d{{2}}/case-\\d+$'
download_delay = {download_delay}
interval_minutes = 30
{extra}""")
    path = tmp_path / "sources.toml"
    path.write_text("".join(tables), encoding="utf-8")
    return path


def start(*args: str) -> subprocess.Popen:
    """A newsmon command in the background; output to files, not pipes: a pipe nobody reads
    while the test waits for another process would fill and block the command's crawl."""
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    process = subprocess.Popen([sys.executable, "-m", "newsmon", *args], stdout=out, stderr=err,
                               text=True, env=newsmon_env(), cwd=ROOT, start_new_session=True)
    process.output = (out, err)
    return process


def finish(process: subprocess.Popen, timeout: float = 240) -> str:
    process.wait(timeout=timeout)
    out, err = (f.seek(0) or f.read() for f in process.output)
    assert process.returncode == 0, err[-3000:]
    return out


def stored(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("select url from articles")]


def article_requests(server: FixtureServer) -> Counter:
    return Counter(path for path in server.paths() if "/case-" in path)


@pytest.fixture
def servers():
    started: list[FixtureServer] = []
    yield started
    for server in started:
        server.stop()


def test_three_workers_one_ingest_fetch_and_store_everything_once(tmp_path, redis_url, servers):
    for site in range(4):
        servers.append(FixtureServer(slow_site(site, 5, delay=0.2)).start())
    sources = sources_file(tmp_path, servers)
    db = tmp_path / "news.db"
    result = run_newsmon("schedule", "--redis", redis_url, "--sources", str(sources))
    assert result.returncode == 0, result.stderr
    assert "queued 4 source(s)" in result.stdout
    workers = [start("worker", "--redis", redis_url, "--batch", "1", *WORKER_FLAGS) for _ in range(3)]
    ingest = start("ingest", "--redis", redis_url, "--db", str(db), "--exit-when-idle")
    for worker in workers:
        finish(worker)
    out = finish(ingest)
    assert "new 20" in out, out

    for server in servers:
        # One crawl per host: robots.txt and the listing once, every article once.
        assert Counter(server.paths())["/robots.txt"] == 1
        assert Counter(server.paths())["/en/news/"] == 1
        requests = article_requests(server)
        assert len(requests) == 5 and set(requests.values()) == {1}, requests
    urls = stored(db)
    assert len(urls) == 20 and len(set(urls)) == 20
    with sqlite3.connect(db) as conn:
        runs = conn.execute("select source, status, articles_new from crawl_runs order by source").fetchall()
    assert runs == [(f"site{n}", "ok", 5) for n in range(4)]
    with sqlite3.connect(db) as conn:  # the Datasette view shows the scale-out state ingest last saw
        health = conn.execute("select source, scaleout_state, scaleout_worker from source_health order by source").fetchall()
    assert health == [(f"site{n}", "idle", None) for n in range(4)]

    # Nothing is due any more: a second schedule queues nothing until interval_minutes pass.
    result = run_newsmon("schedule", "--redis", redis_url, "--sources", str(sources))
    assert "queued 0 source(s)" in result.stdout
    health = run_newsmon("health", "--db", str(db), "--redis", redis_url)
    assert "scale-out: 0 worker(s), 0 lease(s), 0 source(s) due" in health.stdout, health.stdout + health.stderr


def test_killed_worker_lease_expires_and_another_resumes_without_refetching(tmp_path, redis_url, servers):
    servers.append(FixtureServer(slow_site(0, 12, delay=0.05)).start())
    sources = sources_file(tmp_path, servers, download_delay=0.4)  # one request at a time, ~5 s for the source
    db = tmp_path / "news.db"
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    assert run_newsmon("schedule", "--redis", redis_url, "--sources", str(sources)).returncode == 0
    first = start("worker", "--redis", redis_url, *WORKER_FLAGS)
    deadline = time.monotonic() + 120
    while client.hlen("newsmon:known") < 3:  # 3 articles pushed
        assert time.monotonic() < deadline and first.poll() is None, "the first worker pushed nothing"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)  # the worker only: its crawl process must notice and stop
    first.wait(timeout=10)
    lease = "newsmon:lease:source:site0"
    while client.exists(lease):  # nobody renews it: it expires after the TTL
        assert time.monotonic() < deadline
        time.sleep(0.1)
    pushed = {path for path, count in article_requests(servers[0]).items()
              if client.hexists("newsmon:known", servers[0].url(path))}
    fetched_before = article_requests(servers[0])
    assert 3 <= len(pushed) < 12, "the worker was not killed mid-source"
    time.sleep(1.5)  # the dead worker's crawl process has stopped: it fetches nothing more
    assert article_requests(servers[0]) == fetched_before

    second = start("worker", "--redis", redis_url, *WORKER_FLAGS)
    finish(second)
    ingest = start("ingest", "--redis", redis_url, "--db", str(db), "--exit-when-idle")
    finish(ingest)
    requests = article_requests(servers[0])
    assert len(requests) == 12
    for path in pushed:
        assert requests[path] == 1, f"{path} was stored and fetched again"
    urls = stored(db)
    assert len(urls) == 12 and len(set(urls)) == 12
    with sqlite3.connect(db) as conn:
        statuses = [row[0] for row in conn.execute("select status from crawl_runs order by id")]
    assert statuses == ["interrupted", "ok"]


def test_stopped_worker_gives_its_lease_back_at_once(tmp_path, redis_url, servers):
    """SIGTERM (systemd stop): the crawl ends and the lease is released, not left to expire."""
    servers.append(FixtureServer(slow_site(0, 12, delay=0.05)).start())
    sources = sources_file(tmp_path, servers, download_delay=0.4)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    assert run_newsmon("schedule", "--redis", redis_url, "--sources", str(sources)).returncode == 0
    worker = start("worker", "--redis", redis_url, "--exit-when-idle", "--extract-workers", "0", "--lease-ttl", "600")
    deadline = time.monotonic() + 120
    while client.hlen("newsmon:known") < 2:
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) != 0
    assert not client.keys("newsmon:lease:*"), "the lease was not released"
    assert client.zrange("newsmon:due", 0, -1) == ["site0"]  # still due: the next worker crawls it
    assert client.hlen("newsmon:workers") == 0
    fetched = article_requests(servers[0])
    time.sleep(1.0)
    assert article_requests(servers[0]) == fetched, "the crawl went on after the worker stopped"


def test_killed_ingest_loses_nothing_after_restart(tmp_path, redis_url, servers):
    servers.append(FixtureServer(slow_site(0, 30, delay=0)).start())
    sources = sources_file(tmp_path, servers)
    db = tmp_path / "news.db"
    assert run_newsmon("schedule", "--redis", redis_url, "--sources", str(sources)).returncode == 0
    finish(start("worker", "--redis", redis_url, *WORKER_FLAGS))  # everything is in the stream now
    ingest = start("ingest", "--redis", redis_url, "--db", str(db), "--exit-when-idle")
    deadline = time.monotonic() + 120
    count = 0
    while count == 0:
        assert time.monotonic() < deadline and ingest.poll() is None
        time.sleep(0.005)
        try:
            count = len(stored(db))
        except sqlite3.OperationalError:  # not created yet
            continue
    ingest.send_signal(signal.SIGKILL)
    ingest.wait(timeout=10)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    assert client.xpending("newsmon:results", "ingest")["pending"] > 0, "ingest was not killed mid-batch"

    finish(start("ingest", "--redis", redis_url, "--db", str(db), "--exit-when-idle"))
    urls = stored(db)
    assert len(urls) == 30 and len(set(urls)) == 30
    assert client.xpending("newsmon:results", "ingest")["pending"] == 0
    assert client.xlen("newsmon:results") == 0  # stored entries leave Redis's memory
    with sqlite3.connect(db) as conn:
        assert conn.execute("select status from crawl_runs").fetchall() == [("ok",)]


def test_redis_restart_mid_crawl_workers_and_ingest_reconnect_and_finish(tmp_path, redis_server, servers):
    servers.append(FixtureServer(slow_site(0, 10, delay=0.05)).start())
    sources = sources_file(tmp_path, servers, download_delay=0.4)
    db = tmp_path / "news.db"
    url = redis_server.url
    assert run_newsmon("schedule", "--redis", url, "--sources", str(sources)).returncode == 0
    worker = start("worker", "--redis", url, *WORKER_FLAGS)
    ingest = start("ingest", "--redis", url, "--db", str(db), "--exit-when-idle")
    client = redis.Redis.from_url(url, decode_responses=True)
    deadline = time.monotonic() + 120
    while client.hlen("newsmon:known") < 3:
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.05)
    client.close()
    redis_server.stop()
    time.sleep(1.0)  # the crawl goes on meanwhile; its pushes and lookups wait for Redis
    redis_server.start()
    finish(worker)
    finish(ingest)
    requests = article_requests(servers[0])
    assert len(requests) == 10 and set(requests.values()) == {1}, requests
    urls = stored(db)
    assert len(urls) == 10 and len(set(urls)) == 10


def test_database_of_a_single_machine_crawl_seeds_redis_so_workers_skip_stored_articles(tmp_path, redis_url, servers):
    servers.append(FixtureServer(slow_site(0, 6, delay=0)).start())
    sources = sources_file(tmp_path, servers, extra="revisit_days = 0\n")
    db = tmp_path / "news.db"
    result = run_newsmon("crawl", "--db", str(db), "--sources", str(sources), "--no-translate")
    assert result.returncode == 0, result.stderr
    assert len(stored(db)) == 6
    finish(start("ingest", "--redis", redis_url, "--db", str(db), "--exit-when-idle"))  # seeds Redis, then idle
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    assert client.hlen("newsmon:known") == 6
    assert run_newsmon("schedule", "--redis", redis_url, "--sources", str(sources)).returncode == 0
    finish(start("worker", "--redis", redis_url, *WORKER_FLAGS))
    finish(start("ingest", "--redis", redis_url, "--db", str(db), "--exit-when-idle"))
    requests = article_requests(servers[0])
    assert len(requests) == 6 and set(requests.values()) == {1}, requests  # the crawl's only
    assert len(stored(db)) == 6
    with sqlite3.connect(db) as conn:
        runs = conn.execute("select status, articles_skipped from crawl_runs order by id").fetchall()
    assert runs == [("ok", 0), ("ok", 6)]


def test_single_machine_crawl_needs_no_redis_module(tmp_path, site_sources):
    """With `import redis` failing, `newsmon crawl` works and `newsmon worker` says what is missing."""
    blocker = tmp_path / "block" / "redis"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named redis (blocked by the test)')\n")
    env = {"PYTHONPATH": str(blocker.parent)}
    db = tmp_path / "news.db"
    result = run_newsmon("crawl", "--db", str(db), "--sources", str(site_sources), "--no-translate", env=env)
    assert result.returncode == 0, result.stderr
    assert len(stored(db)) > 0
    result = run_newsmon("worker", "--redis", "redis://127.0.0.1:1/0", env=env)
    assert result.returncode == 1
    assert "the redis module is not installed" in result.stderr and "Traceback" not in result.stderr


def _source(name: str, *urls: str, interval: float = 60.0):
    from crawler.sources import parse_source

    return parse_source({"name": name, "country": "UZ", "kind": "news", "start_urls": list(urls),
                         "article_urls": "/a/", "interval_minutes": interval})


def test_leases_exclude_a_shared_host_and_expire_unrenewed(redis_url):
    from newsmon.scaleout import complete, connect, schedule, source_states, take_due, try_lease

    client = connect(redis_url)
    first = _source("first", "http://news.example:8080/a/", "http://cdn.example/x/")
    second = _source("second", "http://news.example:8080/b/")  # another source on the same site
    other = _source("other", "http://other.example/")
    assert sorted(schedule(client, [first, second, other], now=1000.0)) == ["first", "other", "second"]
    held = take_due(client, worker_id="w1", ttl=1.5, limit=10)
    assert [lease.source.name for lease in held] == ["first", "other"]  # not second: its host is leased
    assert try_lease(client, second, worker_id="w2", ttl=1.5) is None
    states = {row["source"]: (row["state"], row["worker"]) for row in source_states(client)}
    assert states == {"first": ("crawling", "w1"), "other": ("crawling", "w1"), "second": ("due", None)}
    held[0].renew(1.5)
    time.sleep(1.0)
    held[0].renew(1.5)
    time.sleep(1.0)  # past the first TTL: renewal kept it
    assert try_lease(client, second, worker_id="w2", ttl=1.5) is None
    time.sleep(1.7)  # no renewal: the worker "died"
    taken = try_lease(client, second, worker_id="w2", ttl=5)
    assert taken is not None
    complete(client, taken, now=2000.0)
    # Completed sources are due again only after interval_minutes.
    assert schedule(client, [first, second, other], now=2000.0 + 59 * 60) == []
    assert schedule(client, [first, second, other], now=2000.0 + 60 * 60) == ["second"]
    # A source removed from the file is withdrawn.
    schedule(client, [first], now=9999.0)
    assert client.zrange("newsmon:due", 0, -1) == ["first"]


def test_every_bundled_source_reaches_workers_unchanged():
    """Workers rebuild each source from its definition in Redis: API mappings, Telegram channels
    and defaults included (a definition carrying telegram_base without telegram was refused)."""
    from crawler.sources import default_sources_path, load_sources
    from newsmon.scaleout import source_definition, source_from_definition

    sources = load_sources(default_sources_path())
    assert any(s.api for s in sources) and any(s.telegram for s in sources)
    for source in sources:
        assert source_from_definition(source_definition(source)) == source
