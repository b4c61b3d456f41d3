"""`newsmon fetch URL` against the fixture site: stored, --no-store, --json, and failures."""

from __future__ import annotations

import json

import sqlite_utils

from tests.conftest import run_newsmon
from tests.fixtures.articles import CHROME_SNIPPETS, EN_ARTICLES, IT_ARTICLES, RU_ARTICLES
from tests.fixtures.sites import CP1251_SLUG, article_path


def test_fetch_stores_and_prints_readably(tmp_path, site_server):
    db_path = tmp_path / "f.db"
    article = IT_ARTICLES[0]
    url = site_server.url(article_path(article))
    result = run_newsmon("fetch", "--db", str(db_path), url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == article.title
    assert lines[1] == url
    assert "language it" in lines[2] and "published 2026-11-16" in lines[2]
    assert "[stored: new]" in result.stdout
    rows = list(sqlite_utils.Database(db_path).query("select * from articles"))
    assert len(rows) == 1
    assert rows[0]["url"] == url and rows[0]["source"] == "adhoc" and rows[0]["lang"] == "it"
    assert rows[0]["text"].split("\n") == list(article.paragraphs)
    assert rows[0]["story_id"] is not None  # filled by fetch as by the crawl
    entities = list(sqlite_utils.Database(db_path).query("select name, found_in from article_entities"))
    assert {"name": "Polizia di Stato", "found_in": "text"} in entities


def test_fetch_files_article_under_matching_source(tmp_path, site_server, site_sources):
    db_path = tmp_path / "f.db"
    url = site_server.url(article_path(RU_ARTICLES[0]))
    result = run_newsmon("fetch", "--db", str(db_path), "--sources", str(site_sources), url)
    assert result.returncode == 0, result.stderr
    row = next(sqlite_utils.Database(db_path).query("select source from articles"))
    assert row["source"] == "fixture-ru"


def test_fetch_json_no_store(tmp_path, site_server):
    db_path = tmp_path / "f.db"
    article = next(a for a in RU_ARTICLES if a.slug == CP1251_SLUG)
    url = site_server.url(article_path(article))
    result = run_newsmon("fetch", "--json", "--no-store", "--db", str(db_path), url)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["url"] == url
    assert record["title"] == article.title  # windows-1251, charset only in the HTTP header
    assert record["lang"] == "ru" and record["published"] == article.published
    assert (record["published_at"], record["published_source"]) == (f"{article.published}T09:30:00+05:00", "meta")
    assert record["text"].split("\n") == list(article.paragraphs)
    for key in ("title_en", "text_en", "translation_status"):
        assert key in record
    assert record["stored"] is None
    for chrome in CHROME_SNIPPETS:
        assert chrome not in record["text"]
    assert not db_path.exists()


def test_fetch_follows_redirect_and_stores_canonical_url(tmp_path, site_server):
    db_path = tmp_path / "f.db"
    result = run_newsmon("fetch", "--json", "--db", str(db_path), site_server.url("/en/news/old-link"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["url"] == site_server.url(article_path(EN_ARTICLES[0]))


def test_fetch_failures_are_one_line_and_store_nothing(tmp_path, site_server):
    db_path = tmp_path / "f.db"
    # something already stored must stay untouched by the failures below
    run_newsmon("fetch", "--db", str(db_path), site_server.url(article_path(EN_ARTICLES[1])))
    cases = {
        "/en/news/2026/11/01/removed": "HTTP 404",
        "/files/annual-report.pdf": "not an HTML page (application/pdf)",
        "/en/news/": "no article text",
    }
    for path, reason in cases.items():
        url = site_server.url(path)
        result = run_newsmon("fetch", "--db", str(db_path), url)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"newsmon: {url}: ")
        assert reason in lines[0]
    for bad in ("ftp://example.org/x", "not a url"):
        result = run_newsmon("fetch", "--db", str(db_path), bad)
        assert result.returncode == 1 and "not an http(s) URL" in result.stderr
    result = run_newsmon("fetch", "--db", str(db_path), "http://127.0.0.1:9/news/1")
    assert result.returncode == 1 and "cannot connect" in result.stderr
    rows = list(sqlite_utils.Database(db_path).query("select title from articles"))
    assert [r["title"] for r in rows] == [EN_ARTICLES[1].title]


def test_fetch_gives_extraction_a_deadline(tmp_path):
    """A page that makes trafilatura work for minutes ends the fetch in one line; nothing is stored."""
    from tests.fixtures.server import FixtureServer, Route
    from tests.test_hangs import tiny_elements_page

    slow, fine = "/en/news/2026/11/20/many-elements", "/en/news/2026/11/20/fine"
    server = FixtureServer({slow: Route(tiny_elements_page(45_000)),
                            fine: Route(f"<html><body><article><h1>Fine</h1><p>{'A plain sentence. ' * 40}</p></article></body></html>")}).start()
    db_path = tmp_path / "f.db"
    try:
        env = {"NEWSMON_EXTRACT_TIMEOUT": "4"}  # the slow page takes half a minute; the fine one well under 4 s
        result = run_newsmon("fetch", "--allow-private", "--no-translate", "--db", str(db_path), server.url(slow), env=env, timeout=60)
        ok = run_newsmon("fetch", "--allow-private", "--no-translate", "--db", str(db_path), server.url(fine), env=env, timeout=60)
    finally:
        server.stop()
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"newsmon: {server.url(slow)}: "), result.stderr
    assert "extraction took over 4 s" in lines[0]
    assert ok.returncode == 0, ok.stderr
    assert [r["title"] for r in sqlite_utils.Database(db_path).query("select title from articles")] == ["Fine"]
