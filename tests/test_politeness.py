"""The polite path real sites get, exercised on loopback: politeness is on unless a source says it is a mirror.

One real `newsmon crawl` (a subprocess) of a small site whose source is *not* a local
mirror, with a short ``download_delay``. The server's own request log is the evidence:
at most 2 requests in flight, the delay kept between requests, ``Retry-After`` honoured,
robots.txt read first and obeyed, a redirect into another local service refused. While
the crawl runs, its process tree is watched for listening sockets: there must be none
(Scrapy's telnet console and remote-control server are off).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import ROOT, newsmon_env
from tests.fixtures.articles import EN_ARTICLES, IT_ARTICLES, RU_ARTICLES
from tests.fixtures.server import FixtureRequestHandler, FixtureServer, Route
from tests.fixtures.sites import article_page

ARTICLES = [*EN_ARTICLES, *RU_ARTICLES[:2]]
DELAY = 0.3  # the source's download_delay: short, so the test stays quick
PAGE_TIME = 1.2  # each article takes this long to answer, so requests could overlap
RETRY_AFTER = 2


class InFlight:
    """Counts requests being answered at once (the server's view of concurrency)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def route(self, body: str) -> Route:
        def answer(handler: FixtureRequestHandler) -> None:
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            try:
                time.sleep(PAGE_TIME)
                data = body.encode("utf-8")
                handler.send_response(200)
                handler.send_header("Content-Type", "text/html; charset=utf-8")
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)
            finally:
                with self.lock:
                    self.now -= 1

        return Route(handler=answer)


def busy_then_ok(body: str) -> Route:
    """429 with ``Retry-After`` the first time, the article after."""
    calls = []

    def answer(handler: FixtureRequestHandler) -> None:
        calls.append(1)
        status, data = (429, b"slow down") if len(calls) == 1 else (200, body.encode("utf-8"))
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if status == 429:
            handler.send_header("Retry-After", str(RETRY_AFTER))
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return Route(handler=answer)


def listening_sockets(root_pid: int) -> set[str]:
    """``pid:inode`` of listening TCP sockets held by ``root_pid`` or any of its descendants (from /proc)."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        listening |= {row.split()[9] for row in rows if row.split()[3] == "0A"}
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [root_pid]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        found |= {f"{pid}:{link[8:-1]}" for link in links if link.startswith("socket:[") and link[8:-1] in listening}
    return found


class PoliteCrawl:
    def __init__(self, tmp: Path):
        self.inflight = InFlight()
        self.other = FixtureServer({"/news/inside": Route(article_page(IT_ARTICLES[0], []))}).start()
        self.server = FixtureServer({}).start()
        paths = [f"/news/{i}" for i in range(len(ARTICLES))]
        routes = {path: self.inflight.route(article_page(a, [])) for path, a in zip(paths, ARTICLES)}
        routes["/robots.txt"] = Route("User-agent: *\nDisallow: /closed/\n", content_type="text/plain")
        routes["/news/busy"] = busy_then_ok(article_page(IT_ARTICLES[1], []))
        routes["/closed/99"] = Route(article_page(RU_ARTICLES[2], []))
        # another service on this machine, by name: in the allowed domains, but not the same host
        routes["/news/to-inside"] = Route(status=302, content_type="",
                                          headers={"Location": self.other.url("/news/inside").replace("127.0.0.1", "localhost")})
        links = [*paths, "/news/busy", "/closed/99", "/news/to-inside"]
        routes["/"] = Route("<html><body>" + "".join(f'<a href="{p}">{p}</a> ' for p in links) + "</body></html>")
        self.server.routes.update(routes)
        self.sources = tmp / "sources.toml"
        self.sources.write_text(
            f"""[[source]]
name = "polite"
country = "IT"
kind = "news"
start_urls = ["{self.server.url('/')}"]
article_urls = '/(news|closed)/[\\w-]+$'
allowed_domains = ["127.0.0.1", "localhost"]
download_delay = {DELAY}
""",
            encoding="utf-8",
        )
        self.db_path = tmp / "polite.db"
        self.listening: set[str] = set()
        process = subprocess.Popen(
            [sys.executable, "-m", "newsmon", "crawl", "--no-translate", "--db", str(self.db_path),
             "--sources", str(self.sources)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=newsmon_env(), cwd=ROOT,
        )
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            self.listening |= listening_sockets(process.pid)
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
        self.stdout, self.stderr = process.communicate(timeout=30)
        self.returncode = process.returncode

    def arrivals(self, prefix: str = "") -> list[tuple[float, str]]:
        return [(e.at, e.path) for e in self.server.log if e.path.startswith(prefix)]

    def stop(self):
        self.server.stop()
        self.other.stop()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    run = PoliteCrawl(tmp_path_factory.mktemp("polite"))
    yield run
    run.stop()


def test_the_crawl_ran(crawl):
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    stored = {r["title"] for r in sqlite_utils.Database(crawl.db_path).query("select title from articles")}
    assert stored == {a.title for a in ARTICLES} | {IT_ARTICLES[1].title}


def test_at_most_two_requests_in_flight(crawl):
    assert 1 <= crawl.inflight.most <= 2


def test_the_delay_is_kept_between_requests(crawl):
    times = [at for at, path in crawl.arrivals() if path != "/robots.txt"]
    gaps = [b - a for a, b in zip(times, times[1:])]
    # Scrapy randomises each wait between 0.5 and 1.5 times the delay (RANDOMIZE_DOWNLOAD_DELAY)
    assert min(gaps) >= 0.5 * DELAY - 0.05, [round(g, 3) for g in gaps]


def test_retry_after_is_honoured(crawl):
    busy = [at for at, path in crawl.arrivals("/news/busy")]
    assert len(busy) == 2
    assert busy[1] - busy[0] >= RETRY_AFTER - 0.1


def test_robots_txt_is_read_first_and_obeyed(crawl):
    paths = [path for _, path in crawl.arrivals()]
    assert paths[0] == "/robots.txt"
    assert "/closed/99" not in paths


def test_a_redirect_into_another_local_service_is_refused_and_counted(crawl):
    assert crawl.other.paths() == []
    run = next(sqlite_utils.Database(crawl.db_path).query("select errors_by_kind from crawl_runs"))
    assert json.loads(run["errors_by_kind"]) == {"redirect_refused": 1}


def test_a_crawl_opens_no_listening_socket(crawl):
    assert crawl.listening == set()


LOCAL_SOURCE = """[[source]]
name = "local"
country = "IT"
kind = "news"
start_urls = ["http://127.0.0.1:8000/", "http://127.example.org/"]
article_urls = '/news/'
"""


def test_local_mirror_mode_is_said_not_guessed_from_the_host(tmp_path, monkeypatch):
    from crawler.run import base_settings, source_settings
    from crawler.sources import load_sources

    path = tmp_path / "sources.toml"
    path.write_text(LOCAL_SOURCE, encoding="utf-8")
    monkeypatch.delenv("NEWSMON_LOCAL_MIRROR", raising=False)
    base = base_settings(db_path=str(tmp_path / "x.db"))

    def politeness(source):
        settings = source_settings(base, source, "run")
        return (settings.getbool("AUTOTHROTTLE_ENABLED"), settings.getfloat("DOWNLOAD_DELAY"),
                settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), settings.getbool("NEWSMON_ALLOW_PRIVATE"))

    (plain,) = load_sources(path)
    assert not plain.local_mirror and politeness(plain) == (True, 0.5, 2, False)
    path.write_text(LOCAL_SOURCE + "local_mirror = true\n", encoding="utf-8")
    (mirror,) = load_sources(path)
    assert politeness(mirror) == (False, 0.0, 16, True)
    path.write_text(LOCAL_SOURCE, encoding="utf-8")
    monkeypatch.setenv("NEWSMON_LOCAL_MIRROR", "1")
    (by_env,) = load_sources(path)
    assert politeness(by_env) == (False, 0.0, 16, True)
