"""Source kinds beyond HTML pages: JSON APIs, Telegram channel previews, script shells, browser pages.

Each kind is crawled with the real CLI against a replay on loopback (tests/fixtures/sourcekinds.py)
and checked in the SQLite file: public URL (never the API's or the preview's), title, date,
language and script, the first and last sentence of the text, nothing twice after a second run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
import sqlite_utils

from crawler.api_source import ApiError, api_items, given_page, page_url
from crawler.errors import classify_failure
from crawler.pagecheck import empty_listing_kind, script_shell
from crawler.render import BrowserUnavailable, browser_settings
from crawler.sources import API_KEYS, SourcesError, parse_source
from crawler.telegram import parse_preview, post_title, preview_url
from tests.conftest import ROOT, run_newsmon
from tests.fixtures import sourcekinds as kinds
from tests.fixtures.server import FixtureServer, Route


@pytest.fixture
def server():
    server = FixtureServer({}).start()
    yield server
    server.stop()


def crawl(tmp_path, server, toml: str, *args: str):
    sources = tmp_path / "sources.toml"
    sources.write_text(toml.format(base=server.base_url), encoding="utf-8")
    db_path = tmp_path / "crawl.db"
    result = run_newsmon("crawl", "--db", str(db_path), "--sources", str(sources), "--no-translate", *args)
    return result, sqlite_utils.Database(db_path)


def assert_stored(db, expected: list[kinds.Expected]) -> dict[str, dict]:
    rows = {row["url"]: row for row in db.query("select * from articles")}
    assert sorted(rows) == sorted(e.url for e in expected)
    for e in expected:
        row = rows[e.url]
        assert row["title"] == e.title, e.url
        if len(e.published) == 10:  # a date alone
            assert (row["published"], row["published_at"]) == (e.published, None), e.url
        else:  # the date, and the timestamp with its offset, as for pages
            assert (row["published"], row["published_at"]) == (e.published[:10], e.published), e.url
            assert row["published_source"] == ("telegram" if "t.me/" in e.url else "api")
        assert (row["lang"], row["script"]) == (e.lang, e.script), (e.url, row["lang"], row["script"])
        assert row["text"].startswith(e.first), (e.url, row["text"][:80])
        assert row["text"].endswith(e.last), (e.url, row["text"][-80:])
        assert row["fetched_url"] == e.url  # the public URL, never the API or preview page
    return rows


# -- the sources file -------------------------------------------------------------

BASE = {"name": "x", "country": "UZ", "kind": "news"}
API = {"endpoint": "https://api.example.uz/posts", "title": "title", "url_template": "https://example.uz/p/{slug}", "html": "content"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"api": {**API, "colour": "red"}}, "key 'api': key 'colour': unknown key"),
        ({"api": {k: v for k, v in API.items() if k != "title"}}, "key 'api': key 'title': missing"),
        ({"api": {**API, "url": "link"}}, "give exactly one of url (a field) and url_template"),
        ({"api": {**API, "text": "body"}}, "give exactly one of html and text"),
        ({"api": {**API, "url_template": "https://example.uz/p/"}}, "key 'url_template': expected {field} placeholders"),
        ({"api": {**API, "url_template": "/p/{slug}"}}, "key 'url_template': not an http(s) URL template"),
        ({"api": {**API, "endpoint": "ftp://x/y"}}, "key 'endpoint': not an http(s) URL"),
        ({"api": {**API, "max_pages": 0}}, "key 'max_pages': must be at least 1"),
        ({"api": {**API, "items": "data..x"}}, "key 'items': expected a dotted path"),
        ({"api": {**API, "headers": {"token": 5}}}, "key 'headers': expected a table of strings"),
        ({"api": "https://api.example.uz"}, "key 'api': expected a table"),
        ({"telegram": "t.me/s/chan"}, "key 'telegram': expected a public channel name"),
        ({"telegram_base": "http://127.0.0.1:1", "start_urls": ["https://a.uz/"], "article_urls": "/n/"}, "key 'telegram_base': only with a telegram channel"),
        ({"telegram": "some_channel", "telegram_base": "nota url"}, "key 'telegram_base': not an http(s) URL"),
        ({"render": "chrome", "start_urls": ["https://a.uz/"], "article_urls": "/n/"}, "key 'render': expected one of browser"),
        ({"render": "browser", "telegram": "some_channel"}, "key 'render': renders pages"),
    ],
)
def test_new_keys_are_validated_naming_source_and_key(table, message):
    with pytest.raises(SourcesError) as error:
        parse_source({**BASE, **table})
    assert "source 'x'" in str(error.value) and message in str(error.value)


def test_telegram_and_api_sources_need_no_article_urls_or_start_urls():
    channel = parse_source({**BASE, "telegram": "cyberpolice_iiv"})
    assert channel.is_article_url("https://t.me/cyberpolice_iiv/101")
    assert not channel.is_article_url("https://t.me/s/cyberpolice_iiv")
    assert channel.domains() == ["t.me"]
    assert channel.entry_urls() == ["https://t.me/s/cyberpolice_iiv"]
    api = parse_source({**BASE, "api": API})
    assert api.domains() == ["api.example.uz"] and api.entry_urls() == [API["endpoint"]]
    assert json.loads(api.table_row()["settings"])["api"]["endpoint"] == API["endpoint"]
    for pages in ({}, {"api": API}, {"telegram": "cyberpolice_iiv"}):  # pages need article_urls, whatever else
        with pytest.raises(SourcesError, match="key 'article_urls': missing"):
            parse_source({**BASE, "start_urls": ["https://a.uz/"], **pages})


# -- units: API mapping, Telegram preview, script shells ------------------------------

def test_api_page_urls_items_and_public_url():
    source = parse_source({**BASE, "language": "ru", "api": {**API, "items": "data", "per_page": 21, "start": 0, "date": "publish_time",
                                                              "url_template": "https://uza.uz/{lang}/posts/{slug}"}})
    assert page_url(source.api, 3) == "https://api.example.uz/posts?page=3&per_page=21"
    body = json.dumps({"data": kinds.UZA_ITEMS[:1]}).encode()
    (item,) = api_items(source.api, body)
    page = given_page(source.api, item, source=source, api_url=page_url(source.api, 0))
    assert page.url == "https://uza.uz/ru/posts/" + kinds.UZA_ITEMS[0]["slug"]
    assert (page.title, page.published) == (kinds.UZA_ITEMS[0]["title"], "2026-11-21T14:40:00")
    # The item's own language field: in the URL template and as evidence for identification.
    mapping = {k: v for k, v in API.items() if k != "html"} | {
        "language": "meta.lang", "text": "body", "url_template": "https://uza.uz/{lang}/posts/{slug}",
    }
    with_lang = parse_source({**BASE, "language": "ru", "api": mapping})
    item = {"slug": "a_1", "title": "<b>Yangi</b> &quot;xabar&quot;", "body": "Matn &amp; davomi", "meta": {"lang": "uz-Latn"}}
    page = given_page(with_lang.api, item, source=with_lang, api_url="https://api.example.uz/posts")
    assert (page.url, page.lang, page.title, page.text) == ("https://uza.uz/uz/posts/a_1", "uz", 'Yangi "xabar"', "Matn & davomi")
    with pytest.raises(ApiError, match="no list of items at 'data'"):
        api_items(source.api, b'{"items": []}')
    with pytest.raises(ApiError) as error:
        api_items(source.api, b"<html>Service unavailable</html>")
    assert error.value.kind == "bad_json"
    with pytest.raises(ApiError, match="no 'slug' for the url_template"):
        given_page(source.api, {"title": "T", "content": "<p>x</p>"}, source=source, api_url="https://api.example.uz/")


def test_telegram_preview_posts_reply_quotes_and_titles():
    posts, ids = parse_preview(kinds.telegram_page(kinds.POSTS[:3], before=97))
    assert ids == [97, 98, 99]
    assert [p.url for p in posts] == [f"https://t.me/{kinds.CHANNEL}/{i}" for i in (97, 98, 99)]
    reply = posts[1]
    assert reply.text.startswith("Ota-onalar uchun eslatma:")  # not the quoted post it answers
    assert "soxta investitsiya" not in reply.text
    assert reply.text.count("\n\n") == 1  # <br/><br/> is a paragraph break
    assert reply.published == "2026-11-17T12:45:00+00:00"
    photo_only, ids = parse_preview(kinds.telegram_page(kinds.POSTS[3:4], before=None))
    assert (photo_only, ids) == ([], [100])
    assert preview_url("http://127.0.0.1:8/", "chan", 97) == "http://127.0.0.1:8/s/chan?before=97"
    long_line = "Birinchi gap shu yerda tugaydi. " + "Ikkinchi gap juda uzun " * 10
    assert post_title(long_line) == "Birinchi gap shu yerda tugaydi."
    assert post_title("so'z " * 60).endswith("…") and len(post_title("so'z " * 60)) <= 151


def test_script_shell_is_told_from_short_and_scripted_pages():
    assert "render = \"browser\"" in script_shell(kinds.SHELL_PAGE)
    assert script_shell(kinds.RENDERED_ARTICLE)  # before rendering, this is a shell too
    assert script_shell(kinds.REAL_ARTICLE) is None  # text, no scripts
    short_with_analytics = "<html><body><p>Короткая заметка.</p><script>track()</script></body></html>"
    assert script_shell(short_with_analytics) is None  # one script and no app root: not a shell
    scripted_article = kinds.REAL_ARTICLE.replace("</body>", "<div id='root'></div><script src=a.js></script></body>")
    assert script_shell(scripted_article) is None  # an app root, but the page has its text


# -- the real crawl on loopback replays ------------------------------------------

def test_uza_style_api_stores_public_urls_and_stops_paging_on_known_items(tmp_path, server):
    server.routes[kinds.UZA_PATH] = Route(handler=kinds.uza_handler)
    result, db = crawl(tmp_path, server, kinds.UZA_TOML)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("uza-api-ru: ok: pages 4, new 3,"), result.stdout  # robots.txt + 3 API pages
    rows = assert_stored(db, kinds.UZA_EXPECTED)
    assert "Поделиться" not in rows[kinds.UZA_EXPECTED[0].url]["text"]  # the body was cleaned like a page
    pages = [p for p in server.paths() if p.startswith(kinds.UZA_PATH)]
    assert [p.split("&page=")[1] for p in pages] == ["1&per_page=2", "2&per_page=2", "3&per_page=2"]  # 3 is empty

    server.log.clear()
    result, db = crawl(tmp_path, server, kinds.UZA_TOML)
    assert result.returncode == 0, result.stderr
    assert "new 0" in result.stdout
    assert db["articles"].count == 3
    assert [p for p in server.paths() if p.startswith(kinds.UZA_PATH)] == pages[:1]  # page 1 brought nothing new


def test_govkz_style_api_sends_its_headers_and_reads_a_spring_page(tmp_path, server):
    server.routes[kinds.GOVKZ_PATH] = Route(handler=kinds.govkz_handler)
    result, db = crawl(tmp_path, server, kinds.GOVKZ_TOML)
    assert result.returncode == 0, result.stderr
    assert "new 3" in result.stdout and "errors 0" in result.stdout, result.stdout
    assert_stored(db, kinds.GOVKZ_EXPECTED)
    first = next(r for r in server.log if r.path.startswith(kinds.GOVKZ_PATH))
    assert "size=2" in first.path and "page=1" in first.path and "projects=eq" in first.path
    result, db = crawl(tmp_path, server, kinds.GOVKZ_TOML)
    assert "new 0" in result.stdout and db["articles"].count == 3

    # Without the session headers the API answers 401: the source fails with that one line.
    no_headers = kinds.GOVKZ_TOML.split("headers =")[0].replace("govkz-qriim-api", "govkz-no-token")
    result, _ = crawl(tmp_path, server, no_headers)
    assert result.returncode == 1
    assert "govkz-no-token: failed" in result.stdout and "http_401 1" in result.stdout
    assert "HTTP 401" in result.stderr and "Traceback" not in result.stderr


def test_telegram_channel_posts_with_permalinks_paging_and_a_429(tmp_path, server):
    server.routes.update(kinds.telegram_routes())
    result, db = crawl(tmp_path, server, kinds.TELEGRAM_TOML)
    assert result.returncode == 0, result.stderr
    assert "new 5" in result.stdout and "errors 0" in result.stdout, result.stdout  # not the one-liner, nor the photo
    rows = assert_stored(db, kinds.TELEGRAM_EXPECTED)
    for row in rows.values():
        for chrome in kinds.TELEGRAM_CHROME:
            assert chrome not in row["text"]
    channel = f"/s/{kinds.CHANNEL}"
    assert [p for p in server.paths() if p.startswith(channel)] == [
        channel, channel, f"{channel}?before=100", f"{channel}?before=97",  # 429 then retried
    ]
    throttled, retried = [r.at for r in server.log if r.path == channel]
    assert retried - throttled >= 0.9  # the retry waited for Retry-After: 1 (a lower bound, not a speed)

    server.log.clear()
    result, db = crawl(tmp_path, server, kinds.TELEGRAM_TOML)
    assert result.returncode == 0, result.stderr
    assert "new 0" in result.stdout and "errors 0" in result.stdout, result.stdout
    assert db["articles"].count == 5
    assert [p for p in server.paths() if p.startswith(channel)] == [channel]  # nothing new: no older pages


def test_script_shell_pages_are_counted_as_needs_javascript(tmp_path, server):
    server.routes.update(kinds.shell_routes())
    result, db = crawl(tmp_path, server, kinds.SHELL_TOML)
    assert result.returncode == 0, result.stderr
    assert "needs_javascript 2" in result.stdout, result.stdout  # the shell article and the shell listing
    urls = [row["url"] for row in db.query("select url from articles")]
    assert urls == [server.url("/news/2026/11/19/real-article")]
    run = next(db.query("select errors_by_kind from crawl_runs"))
    assert json.loads(run["errors_by_kind"]) == {"needs_javascript": 2}
    # Not remembered as "not an article": once the source gets render = "browser" it is asked for again.
    assert not list(db.query("select url from url_state where kind = 'not_article'"))

    # `newsmon fetch` shares the step: the same kind, one line.
    fetched = run_newsmon("fetch", "--no-store", server.url("/news/2026/11/20/shell-article"))
    assert fetched.returncode == 1 and "a script shell (2 scripts" in fetched.stderr and "Traceback" not in fetched.stderr

    # A source whose only page is a shell fails, with the hint on stderr.
    only_shell = kinds.SHELL_TOML.replace('"{base}/news/", ', "").replace("shell-site", "shell-only")
    result, _ = crawl(tmp_path, server, only_shell)
    assert result.returncode == 1 and "shell-only: failed" in result.stdout
    assert 'needs JavaScript; map the site\'s JSON API ([source.api]) or set render = "browser"' in result.stderr


needs_browser = pytest.mark.skipif(
    shutil.which("/usr/bin/chromium") is None, reason="Debian's chromium is not installed (make system-deps)"
)


@pytest.mark.browser
@needs_browser
def test_browser_rendered_page_goes_through_the_same_steps(tmp_path, server):
    pytest.importorskip("scrapy_playwright", reason="the browser extra is not installed")
    server.routes.update(kinds.rendered_routes())
    result, db = crawl(tmp_path, server, kinds.RENDERED_TOML)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "new 1" in result.stdout and "errors 1 (http_404 1)" in result.stdout, result.stdout
    expected = kinds.RENDERED_EXPECTED
    assert_stored(db, [kinds.Expected(server.url(expected.url), *list(expected.__dict__.values())[1:])])
    # The browser fetched the pages and their data; robots.txt went the plain way.
    assert {"/app/", "/app/news/7", "/app/api/list.json", "/app/api/news/7.json", "/robots.txt"} <= set(server.paths())
    result, db = crawl(tmp_path, server, kinds.RENDERED_TOML)
    assert result.returncode == 0 and "new 0" in result.stdout, result.stdout
    assert db["articles"].count == 1


def test_browser_failures_are_the_same_one_line_kinds():
    from playwright._impl._errors import Error, TimeoutError
    from twisted.python.failure import Failure

    refused = Error("Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/app/\nCall log:\n  - navigating")
    assert classify_failure(Failure(refused)) == ("connection_refused", "connection refused (browser: net::ERR_CONNECTION_REFUSED)")
    kind, reason = classify_failure(Failure(TimeoutError("Page.goto: Timeout 30000ms exceeded.\nCall log:\n  - x")))
    assert kind == "timeout" and "\n" not in reason
    kind, reason = classify_failure(Failure(Error("Target page, context or browser has been closed\nmore")))
    assert (kind, reason) == ("browser_error", "browser: Target page, context or browser has been closed")


def test_rendered_page_over_the_size_cap_is_refused(tmp_path):
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.spiders.source import SourceSpider

    source = parse_source({**BASE, "render": "browser", "start_urls": ["https://a.uz/"], "article_urls": "/n/"})
    spider = SourceSpider.from_crawler(get_crawler(SourceSpider, {"DOWNLOAD_MAXSIZE": 1000}), source=source)
    headers = {"Content-Type": "text/html; charset=utf-8"}
    big = HtmlResponse("https://a.uz/n/1", body=b"<p>" + b"x" * 2000, headers=headers, flags=["playwright"])
    assert not spider._is_html(big)
    assert spider.counters.errors_by_kind == {"too_large": 1}
    assert spider._is_html(HtmlResponse("https://a.uz/n/2", body=b"<p>short</p>", headers=headers, flags=["playwright"]))


def test_missing_browser_is_named_and_fails_only_its_source(tmp_path):
    with pytest.raises(BrowserUnavailable, match="needs Chromium at /nonexistent/chromium"):
        browser_settings(chromium="/nonexistent/chromium", timeout=30)
    # run_crawl in its own process (it owns a reactor): the source fails with the reason, nothing raises.
    script = (
        "from crawler.run import run_crawl; from crawler.sources import parse_source\n"
        "s = parse_source({'name': 'x', 'country': 'UZ', 'kind': 'news', 'render': 'browser',"
        " 'start_urls': ['http://127.0.0.1:9/'], 'article_urls': '/n/'})\n"
        f"r = run_crawl([s], db_path={str(tmp_path / 'x.db')!r}, settings_overrides={{'NEWSMON_CHROMIUM': '/nonexistent/chromium'}})\n"
        "print(r[0].summary_line())\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("x: failed: ") and "needs Chromium at /nonexistent/chromium" in result.stdout


def test_a_listing_without_links_says_why():
    assert empty_listing_kind(kinds.SHELL_PAGE)[0] == "needs_javascript"
    challenge = "<html><head><title>Just a moment...</title></head><body><script src=/cdn-cgi/challenge-platform/x.js></script><script>c()</script></body></html>"
    assert empty_listing_kind(challenge)[0] == "blocked"  # a challenge page is scripts too, but blocked first
    assert empty_listing_kind("<html><body><p>Пока новостей нет.</p></body></html>") is None


def test_readme_documents_every_api_key_and_new_error_kind():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Source kinds", 1)[1].split("\n## ", 1)[0]
    for key in API_KEYS:
        assert f"`{key}`" in section, key
    for kind in ("needs_javascript", "bad_json", "api_no_items", "api_bad_item", "browser_error", "telegram_no_preview"):
        assert f"`{kind}`" in readme, kind


def test_telegram_channel_without_a_preview_fails_with_the_reason(tmp_path, server):
    info_page = "<html><head><title>Telegram: Contact @closed_chan</title></head><body><div class='tgme_page'>" \
                "<div class='tgme_page_title'>Closed</div><a href='//telegram.org/dl'>Download</a></div></body></html>"
    server.routes.update({
        "/s/closed_chan": Route(status=302, headers={"Location": "/closed_chan"}),
        "/closed_chan": Route(info_page),
    })
    toml = kinds.TELEGRAM_TOML.replace("cyberpolice_iiv", "closed_chan").replace("cyberpolice-iiv-telegram", "closed")
    result, db = crawl(tmp_path, server, toml)
    assert result.returncode == 1 and "closed: failed" in result.stdout and "telegram_no_preview 1" in result.stdout
    assert "is the channel public, with its preview on?" in result.stderr


@pytest.mark.browser
@needs_browser
def test_browser_page_load_failure_is_one_line(tmp_path):
    pytest.importorskip("scrapy_playwright", reason="the browser extra is not installed")
    with FixtureServer({}) as closed:  # a port that was just free: nothing listens there now
        port = closed.server_address[1]
    toml = kinds.RENDERED_TOML.format(base=f"http://127.0.0.1:{port}")
    sources = tmp_path / "sources.toml"
    sources.write_text(toml, encoding="utf-8")
    result = run_newsmon("crawl", "--db", str(tmp_path / "c.db"), "--sources", str(sources), "--no-translate")
    assert result.returncode == 1
    assert "rendered-site: failed" in result.stdout and "connection_refused 1" in result.stdout
    assert "(browser: net::ERR_CONNECTION_REFUSED)" in result.stderr
    assert "playwright/_impl" not in result.stderr  # scrapy-playwright's warning is cut to one line, no traceback
