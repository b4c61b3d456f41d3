"""Incremental crawling: conditional GET, revisits of recent articles, canonical URLs,
syndicated copies, Retry-After, and source health."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import sqlite_utils

from tests.conftest import run_newsmon
from tests.fixtures.articles import EN_ARTICLES, RU_ARTICLES
from tests.fixtures.server import FixtureServer, Route
from tests.fixtures.sites import article_page, article_path, listing_page

TODAY = date.today().isoformat()
LONG_AGO = (date.today() - timedelta(days=30)).isoformat()

SOURCE = """
[[source]]
name = "{name}"
country = "UZ"
kind = "news"
start_urls = ["{base}{start}"]
article_urls = '{pattern}'
download_delay = 0
local_mirror = true  # a server on this machine: no politeness needed (README: local mirrors)
"""


def recent(article, published=TODAY):
    return dataclasses.replace(article, published=published)


def serve(routes: dict[str, Route]) -> FixtureServer:
    server = FixtureServer(routes).start()
    server.routes.setdefault("/robots.txt", Route("User-agent: *\n", content_type="text/plain"))
    return server


def crawl(tmp_path, sources_text: str, *args: str):
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_text, encoding="utf-8")
    db_path = tmp_path / "n.db"
    result = run_newsmon("crawl", "--db", str(db_path), "--sources", str(sources), *args)
    return result, sqlite_utils.Database(db_path)


def en_source(base: str) -> str:
    return SOURCE.format(name="en", base=base, start="/en/news/", pattern=r"/en/news/\d{4}/\d{2}/\d{2}/[\w-]+$")


def test_conditional_get_revisit_update_and_history(tmp_path):
    fresh, old = recent(EN_ARTICLES[0]), recent(EN_ARTICLES[1], published=LONG_AGO)
    server = serve({})
    try:
        server.routes["/en/news/"] = Route(listing_page("en", [fresh, old]), headers={"ETag": '"list-v1"'})
        server.routes[article_path(fresh)] = Route(article_page(fresh, []), headers={"ETag": '"a-v1"'})
        server.routes[article_path(old)] = Route(article_page(old, []))
        result, db = crawl(tmp_path, en_source(server.base_url))
        assert "new 2" in result.stdout, result.stdout

        # Second run, nothing changed: the listing answers 304, the recent article is
        # revalidated (304), the old one is not requested at all.
        server.log.clear()
        result, db = crawl(tmp_path, en_source(server.base_url))
        assert "new 0" in result.stdout and "unchanged 1" in result.stdout and "skipped 0" in result.stdout
        assert "not modified 2" in result.stdout
        requests = {entry.path: entry.headers for entry in server.log}
        assert requests["/en/news/"].get("If-None-Match") == '"list-v1"'
        assert requests[article_path(fresh)].get("If-None-Match") == '"a-v1"'
        assert article_path(old) not in requests

        # The listing changes (new article) and the recent article is edited.
        newer = recent(EN_ARTICLES[2])
        edited = dataclasses.replace(fresh, paragraphs=(*fresh.paragraphs, "Update: two more suspects were detained on Monday."))
        server.routes["/en/news/"] = Route(listing_page("en", [newer, fresh, old]), headers={"ETag": '"list-v2"'})
        server.routes[article_path(newer)] = Route(article_page(newer, []))
        server.routes[article_path(fresh)] = Route(article_page(edited, []), headers={"ETag": '"a-v2"'})
        server.log.clear()
        result, db = crawl(tmp_path, en_source(server.base_url))
        assert "new 1" in result.stdout and "updated 1" in result.stdout and "skipped 1" in result.stdout
        row = next(db.query("select * from articles where url = ?", [server.url(article_path(fresh))]))
        assert row["text"].endswith("two more suspects were detained on Monday.")
        assert row["versions"] == 2
        versions = list(db.query("select * from article_versions where article_id = ?", [row["id"]]))
        assert len(versions) == 1 and "two more suspects" not in versions[0]["text"]
        assert db["articles"].count == 3
    finally:
        server.stop()


def test_feed_answering_304_is_counted_and_not_reparsed(tmp_path, site_server, site_sources):
    site_server.routes["/ru/rss.xml"].headers["ETag"] = '"feed-1"'
    crawl(tmp_path, site_sources.read_text(), "fixture-ru")
    site_server.log.clear()
    result, _ = crawl(tmp_path, site_sources.read_text(), "fixture-ru")
    assert "not modified 1" in result.stdout
    assert [e.path for e in site_server.log] == ["/robots.txt", "/ru/rss.xml"]
    assert site_server.log[1].headers.get("If-None-Match") == '"feed-1"'


def test_tracking_parameters_fragments_and_redirects_give_one_article(tmp_path):
    article = recent(EN_ARTICLES[0])
    path = article_path(article)
    server = serve({})
    try:
        links = (
            f'<a href="{path}?utm_source=telegram&utm_medium=social">a</a>'
            f'<a href="{path}#comments">b</a><a href="{path}?fbclid=XYZ">c</a><a href="/go/{article.slug}">d</a>'
        )
        server.routes["/en/news/"] = Route(listing_page("en", [], extra_links=links))
        server.routes[path] = Route(article_page(article, []))
        server.routes[f"/go/{article.slug}"] = Route(status=302, headers={"Location": path + "?utm_campaign=x"}, content_type="")
        source = SOURCE.format(name="en", base=server.base_url, start="/en/news/", pattern=r"/(en/news/\d{4}/\d{2}/\d{2}|go)/[\w-]+")
        result, db = crawl(tmp_path, source)
        assert result.returncode == 0, result.stderr
        assert [r["url"] for r in db.query("select url from articles")] == [server.url(path)]
    finally:
        server.stop()


def test_syndicated_copy_links_to_first_seen(tmp_path):
    original = recent(RU_ARTICLES[0])
    copy = dataclasses.replace(
        original, slug="copy-of-release",
        title="МВД: задержан организатор поддельного интернет-магазина",
        paragraphs=(*original.paragraphs[:-1], original.paragraphs[-1] + " Источник: пресс-служба."),
    )
    unrelated = recent(RU_ARTICLES[1])
    server = serve({})
    try:
        server.routes["/a/"] = Route(listing_page("ru", []).replace("</main>", f'<a href="/a/{original.slug}">x</a></main>'))
        server.routes[f"/a/{original.slug}"] = Route(article_page(original, []))
        server.routes["/b/"] = Route(
            listing_page("ru", []).replace("</main>", f'<a href="/b/{copy.slug}">x</a><a href="/b/{unrelated.slug}">y</a></main>')
        )
        server.routes[f"/b/{copy.slug}"] = Route(article_page(copy, []).replace(article_path(copy), f"/b/{copy.slug}"))
        server.routes[f"/b/{unrelated.slug}"] = Route(article_page(unrelated, []).replace(article_path(unrelated), f"/b/{unrelated.slug}"))
        server.routes[f"/a/{original.slug}"] = Route(article_page(original, []).replace(article_path(original), f"/a/{original.slug}"))
        sources = SOURCE.format(name="agency", base=server.base_url, start="/a/", pattern=r"/a/[\w-]+$")
        crawl(tmp_path, sources)
        sources += SOURCE.format(name="outlet", base=server.base_url, start="/b/", pattern=r"/b/[\w-]+$")
        crawl(tmp_path, sources, "outlet")
        db = sqlite_utils.Database(tmp_path / "n.db")
        rows = {r["url"].rsplit("/", 1)[1]: r for r in db.query("select id, url, duplicate_of from articles")}
        assert rows[original.slug]["duplicate_of"] is None
        assert rows[copy.slug]["duplicate_of"] == rows[original.slug]["id"]
        assert rows[unrelated.slug]["duplicate_of"] is None
    finally:
        server.stop()


def test_retry_after_is_honoured_before_retrying(tmp_path):
    article = recent(EN_ARTICLES[1])
    path = article_path(article)
    server = serve({})
    answers = iter([Route("busy", status=429, headers={"Retry-After": "2"}, content_type="text/plain")])

    def flaky(handler):
        route = next(answers, None) or Route(article_page(article, []))
        body = route.payload()
        handler.send_response(route.status)
        for name, value in route.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", route.content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    try:
        server.routes["/en/news/"] = Route(listing_page("en", [article]))
        server.routes[path] = Route(handler=flaky)
        result, db = crawl(tmp_path, en_source(server.base_url))
        assert "new 1" in result.stdout and "errors 0" in result.stdout
        times = [e.at for e in server.log if e.path == path]
        assert len(times) == 2 and times[1] - times[0] >= 1.9
    finally:
        server.stop()


def test_health_flags_failing_and_silent_sources(tmp_path, site_server, site_sources):
    text = site_sources.read_text() + SOURCE.format(name="dead", base="http://127.0.0.1:9", start="/x/", pattern="/x/\\d+")
    crawl(tmp_path, text, "dead", "fixture-it")
    result = run_newsmon("health", "--db", str(tmp_path / "n.db"), "--check")
    assert result.returncode == 1
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if not line.startswith(" ")}
    assert "failing: last 1 run(s) failed" in lines["dead"]
    assert lines["fixture-it"].endswith("ok")
    assert "never crawled" in lines["fixture-en"]
    assert "connection refused" in result.stdout
    result = run_newsmon("health", "--db", str(tmp_path / "n.db"), "--silent-days", "0")
    assert "silent" in [l for l in result.stdout.splitlines() if l.startswith("fixture-it")][0]
