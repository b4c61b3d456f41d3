"""One HTTP behaviour for `newsmon fetch` and the crawl: damage is refused, never stored, in one line.

A raw-socket hostile server (tests/fixtures/hostile.py) sends what no server library would:
bodies shorter than their Content-Length, broken chunked framing, a 70 KB header line, 150
headers, a page dripped one byte at a time, redirects to ``ftp:`` and to another loopback
address. ``fetch`` must answer each with one line and the crawl's kind, and store nothing;
configuration that would validate and then crash is refused by ``newsmon sources``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
import sqlite_utils

from crawler.extract import extract_article
from crawler.middlewares import is_public_address, refuse_redirect
from crawler.sources import SourcesError, load_sources
from storage.records import Page
from tests.conftest import ROOT, run_newsmon
from tests.fixtures.articles import RU_ARTICLES
from tests.fixtures.hostile import HostileServer, Raw, html_answer, redirect, response_head
from tests.fixtures.sites import article_page

ARTICLE = RU_ARTICLES[0]
PAGE = article_page(ARTICLE, []).encode("utf-8")
CHUNKED = [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked"), ("Connection", "close")]


def chunked(body: bytes, *, break_framing: bool) -> Raw:
    """``body`` in 1000-byte chunks; ``break_framing`` puts garbage where the third chunk's size belongs."""
    parts = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    out = b""
    for index, part in enumerate(parts):
        size = b"zz" if break_framing and index == 2 else f"{len(part):x}".encode()
        out += size + b"\r\n" + part + b"\r\n"
    return Raw(response_head(headers=CHUNKED), out + b"0\r\n\r\n")


@pytest.fixture
def hostile():
    server = HostileServer({}).start()
    yield server
    server.stop()


def fetch(db_path, url, *extra):
    return run_newsmon("fetch", "--no-translate", "--db", str(db_path), *extra, url, timeout=60)


def one_line(result, url) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, result.stdout
    assert len(lines) == 1 and lines[0].startswith(f"newsmon: {url}: "), result.stderr[-3000:]
    return lines[0]


def stored(db_path) -> list[dict]:
    return list(sqlite_utils.Database(db_path).query("select url, title, text, content_hash from articles"))


def test_truncated_bodies_never_overwrite_a_stored_article(tmp_path, hostile):
    """A body cut before its Content-Length (and cut chunked framing) is refused as `truncated`."""
    db_path = tmp_path / "f.db"
    path = "/ru/novosti/statya"
    hostile.routes[path] = html_answer(PAGE)
    url = hostile.url(path)
    assert fetch(db_path, url).returncode == 0
    before = stored(db_path)
    assert len(before) == 1 and ARTICLE.paragraphs[-1] in before[0]["text"]
    # the same page, the connection closed 40% of the way through (the cut still holds two paragraphs)
    hostile.routes[path] = html_answer(PAGE[: len(PAGE) * 6 // 10], content_length=len(PAGE))
    assert "response cut short" in one_line(fetch(db_path, url), url)
    hostile.routes[path] = chunked(PAGE, break_framing=True)
    assert "response cut short" in one_line(fetch(db_path, url), url)
    assert stored(db_path) == before
    hostile.routes[path] = chunked(PAGE, break_framing=False)  # well-formed chunked is fine
    assert fetch(db_path, url).returncode == 0


def test_a_slow_drip_server_meets_one_deadline_for_the_whole_request(tmp_path, hostile):
    """Each byte arrives well within any per-read timeout; the whole page would take 60 s."""
    hostile.routes["/drip"] = Raw(html_answer(PAGE).head, PAGE, drip=0.05, drip_bytes=1200)
    url = hostile.url("/drip")
    result = fetch(tmp_path / "f.db", url, "--timeout", "2")
    assert "timed out" in one_line(result, url)
    assert not (tmp_path / "f.db").exists() or stored(tmp_path / "f.db") == []


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (html_answer(PAGE, extra=[("X-Padding", "a" * 70_000)]), "connection lost"),
        (Raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n" + b"\x00\x01garbage" * 500), "connection lost"),
    ],
    ids=["header-line-70kb", "no-end-of-headers"],
)
def test_malformed_answers_are_one_line_not_a_traceback(tmp_path, hostile, raw, reason):
    hostile.routes["/bad"] = raw
    url = hostile.url("/bad")
    line = one_line(fetch(tmp_path / "f.db", url), url)
    assert reason in line and "Traceback" not in line


def test_many_headers_are_read_as_the_crawl_reads_them(tmp_path, hostile):
    """150 headers: Python's http.client gave up (traceback); the crawl's downloader reads the page."""
    hostile.routes["/many"] = html_answer(PAGE, extra=[(f"X-Header-{i}", "v") for i in range(150)])
    result = fetch(tmp_path / "f.db", hostile.url("/many"))
    assert result.returncode == 0, result.stderr
    assert stored(tmp_path / "f.db")[0]["title"] == ARTICLE.title


def test_redirects_leave_neither_the_web_nor_into_private_addresses(tmp_path, hostile):
    other = HostileServer({"/inside": html_answer(PAGE)}).start()
    try:
        db_path = tmp_path / "f.db"
        hostile.routes["/to-ftp"] = redirect("ftp://127.0.0.1/pub/x.html")
        hostile.routes["/to-file"] = redirect("file:///etc/passwd")
        # another service on this machine, reached by name: checked on the address it resolves to
        inside = other.url("/inside").replace("127.0.0.1", "localhost")
        hostile.routes["/to-inside"] = redirect(inside)
        hostile.routes["/refresh-inside"] = html_answer(
            f'<html><head><meta http-equiv="refresh" content="0; url={inside}"></head><body></body></html>'.encode())
        for path in ("/to-ftp", "/to-file"):
            url = hostile.url(path)
            assert "redirect to a non-web URL refused" in one_line(fetch(db_path, url), url)
        for path in ("/to-inside", "/refresh-inside"):  # an HTTP redirect, and a <meta> refresh
            url = hostile.url(path)
            line = one_line(fetch(db_path, url), url)
            assert "redirect into a private address (127.0.0.1" in line and "--allow-private" in line
        assert other.paths() == []  # never even asked
        assert not db_path.exists() or stored(db_path) == []
        result = fetch(db_path, url, "--allow-private")
        assert result.returncode == 0, result.stderr
        assert other.paths() == ["/inside"]
        assert stored(db_path)[0]["title"] == ARTICLE.title
    finally:
        other.stop()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("revisit_days = inf", "key 'revisit_days': must be a finite number"),
        ("revisit_days = nan", "key 'revisit_days': must be a finite number"),
        ("download_delay = inf", "key 'download_delay': must be a finite number"),
        ('user_agent = "newsmon\\r\\nX-Injected: 1"', "key 'user_agent': control characters"),
        ('headers = { Referer = "a\\nb" }', "key 'headers': control characters"),
        ('headers = { "Bad Name" = "x" }', "key 'headers': not a header name"),
        ('allowed_domains = [""]', "key 'allowed_domains': not a host name: ''"),
        ('allowed_domains = ["https://example.org/"]', "key 'allowed_domains': not a host name"),
    ],
)
def test_configuration_that_would_crash_the_crawl_is_refused(tmp_path, line, message):
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nname = "bad"\ncountry = "KZ"\nkind = "news"\nstart_urls = ["https://example.org/"]\n'
        f"article_urls = '/n/'\n{line}\n",
        encoding="utf-8",
    )
    with pytest.raises(SourcesError, match="source 'bad': " + message.replace("(", r"\(")):
        load_sources(path)
    result = run_newsmon("sources", "--sources", str(path))
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("char", ["\x01", "\x08", "\x0e", "\x1b", "\x0b", "\x0c", "\ufffe"])
def test_one_control_character_does_not_lose_the_article(char):
    html = article_page(ARTICLE, []).replace(ARTICLE.paragraphs[0][:20], ARTICLE.paragraphs[0][:20] + char, 1)
    article = extract_article(Page(url="http://127.0.0.1/ru/novosti/x", requested_url="", source="s", html=html))
    assert article.title == ARTICLE.title
    for paragraph in ARTICLE.paragraphs[1:]:
        assert paragraph in article.text
    assert char not in article.text


def test_the_crawl_counts_the_same_answers_under_the_same_kinds_and_reasons(tmp_path, hostile):
    """One behaviour: each answer `fetch` refuses, the crawl counts under the kind `fetch` names, with its reason."""
    cases = {
        "/a/long-header": (html_answer(PAGE, extra=[("X-Padding", "a" * 70_000)]), "connection_lost"),
        "/a/cut": (html_answer(PAGE[: len(PAGE) // 2], content_length=len(PAGE)), "truncated"),
        "/a/chunks": (chunked(PAGE, break_framing=True), "truncated"),
        "/a/to-ftp": (redirect("ftp://127.0.0.1/x.html"), "redirect_refused"),
    }
    many = RU_ARTICLES[1]
    hostile.routes["/a/many-headers"] = html_answer(article_page(many, []).encode("utf-8"),
                                                    extra=[(f"X-Header-{i}", "v") for i in range(150)])
    for path, (raw, _) in cases.items():
        hostile.routes[path] = raw
    links = "".join(f'<a href="{p}">{p}</a> ' for p in [*cases, "/a/many-headers"])
    hostile.routes["/"] = html_answer(f"<html><body>{links}</body></html>".encode())
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "hostile"\ncountry = "KZ"\nkind = "news"\nstart_urls = ["{hostile.url("/")}"]\n'
        "article_urls = '/a/[\\w-]+$'\nlocal_mirror = true\n",
        encoding="utf-8",
    )
    db_path = tmp_path / "crawl.db"
    crawl = run_newsmon("-v", "crawl", "--no-translate", "--db", str(db_path), "--sources", str(sources), timeout=120)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    run = next(sqlite_utils.Database(db_path).query("select errors_by_kind from crawl_runs"))
    expected: dict[str, int] = {}
    for _, kind in cases.values():
        expected[kind] = expected.get(kind, 0) + 1
    assert json.loads(run["errors_by_kind"]) == expected, crawl.stderr[-3000:]
    assert [r["title"] for r in stored(db_path)] == [many.title]  # 150 headers: read, as by fetch
    for path in cases:
        url = hostile.url(path)
        reason = one_line(fetch(tmp_path / "f.db", url), url).split(f"{url}: ", 1)[1]
        assert f"hostile: {url}: {reason}" in crawl.stderr, (path, reason)


def test_a_public_server_cannot_send_the_crawl_inside_even_under_its_own_name():
    """DNS rebinding: the same host name, now resolving to loopback, after a public server's redirect."""
    source, target = "http://localhost:8080/news/1", "http://localhost:8080/admin"

    def refused(**kwargs):
        return asyncio.run(refuse_redirect(source, target, domains=[], **kwargs))

    assert refused(allow_private=False, source_ip="93.184.216.34")[0] == "redirect_refused"
    assert refused(allow_private=False, source_ip="127.0.0.1") is None  # the user named this local host
    assert refused(allow_private=True, source_ip="93.184.216.34") is None
    assert is_public_address("93.184.216.34") and not is_public_address("::ffff:10.0.0.1")
    assert not any(map(is_public_address, ["10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "::1", "fe80::1", "0.0.0.0"]))


FETCH_KEEPING_DATALOSS = """
import sys
from newsmon import fetch
plain = fetch.fetch_settings
def keep_dataloss(**kwargs):
    settings = plain(**kwargs)
    settings.set("DOWNLOAD_FAIL_ON_DATALOSS", False, priority="cmdline")
    return settings
fetch.fetch_settings = keep_dataloss
try:
    fetch.fetch_page(sys.argv[1], source="t")
    print("stored")
except fetch.FetchError as exc:
    print(exc.kind)
"""
CRAWL_KEEPING_DATALOSS = """
import sys
from crawler.run import run_crawl
from crawler.sources import load_sources
for result in run_crawl(load_sources(sys.argv[1]), db_path=sys.argv[2],
                        settings_overrides={"DOWNLOAD_FAIL_ON_DATALOSS": False, "RETRY_TIMES": 0}):
    print(result.summary_line())
"""


def test_a_body_flagged_dataloss_is_refused_even_with_the_setting_off(tmp_path, hostile):
    """Turning DOWNLOAD_FAIL_ON_DATALOSS off makes Scrapy pass cut bodies on, flagged: still never stored."""
    hostile.routes["/a/cut"] = html_answer(PAGE[: len(PAGE) * 6 // 10], content_length=len(PAGE))
    hostile.routes["/"] = html_answer(b'<html><body><a href="/a/cut">cut</a></body></html>')
    result = subprocess.run([sys.executable, "-c", FETCH_KEEPING_DATALOSS, hostile.url("/a/cut")],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.stdout.strip() == "truncated", result.stderr[-2000:]
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "cut"\ncountry = "KZ"\nkind = "news"\nstart_urls = ["{hostile.url("/")}"]\n'
        "article_urls = '/a/[\\w-]+$'\nlocal_mirror = true\n",
        encoding="utf-8",
    )
    db_path = tmp_path / "crawl.db"
    result = subprocess.run([sys.executable, "-c", CRAWL_KEEPING_DATALOSS, str(sources), str(db_path)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "errors 1 (truncated 1)" in result.stdout and "new 0" in result.stdout, result.stderr[-2000:]
