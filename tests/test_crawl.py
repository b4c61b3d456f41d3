"""The real crawl (CLI in a subprocess, real Scrapy engine) against the fixture site."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlite_utils

from tests.conftest import run_newsmon
from tests.fixtures.articles import CHROME_SNIPPETS, EN_ARTICLES, IT_ARTICLES, RU_ARTICLES
from tests.fixtures.server import FixtureServer
from tests.fixtures.sites import CP1251_SLUG, article_path, news_site, sources_toml

ALL_ARTICLES = EN_ARTICLES + RU_ARTICLES + IT_ARTICLES


def crawl(tmp_path, sources, *names):
    db_path = tmp_path / "crawl.db"
    result = run_newsmon("crawl", "--db", str(db_path), "--sources", str(sources), *names)
    return result, sqlite_utils.Database(db_path)


@dataclass
class FullCrawl:
    result: subprocess.CompletedProcess
    db: sqlite_utils.Database
    server: FixtureServer
    paths: list[str]  # what the crawl requested, in order


@pytest.fixture(scope="module")
def full_crawl(tmp_path_factory) -> Iterator[FullCrawl]:
    """One crawl of every fixture source, read (never changed) by the tests that check its outcome."""
    server = FixtureServer({}).start()
    server.routes.update(news_site(server.base_url))
    tmp_path = tmp_path_factory.mktemp("full-crawl")
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(server.base_url), encoding="utf-8")
    try:
        result, db = crawl(tmp_path, sources)
        yield FullCrawl(result, db, server, server.paths())
    finally:
        server.stop()


def test_crawl_stores_every_article_once_with_clean_text(full_crawl):
    result, db, site_server = full_crawl.result, full_crawl.db, full_crawl.server
    assert result.returncode == 0, result.stderr
    rows = {row["url"]: row for row in db.query("select * from articles")}
    expected = {site_server.url(article_path(a)): a for a in ALL_ARTICLES}
    assert set(rows) == set(expected)  # each once: redirect and canonical duplicates collapse
    for url, article in expected.items():
        row = rows[url]
        assert row["title"] == article.title
        assert row["published"] == article.published
        assert row["lang"] == article.lang
        assert row["author"] == article.author or article.author == "Redazione"
        for paragraph in article.paragraphs:
            assert paragraph in row["text"]
        for chrome in CHROME_SNIPPETS:
            assert chrome not in row["text"], (url, chrome)
        assert not row["text"].startswith(article.title)
        assert row["story_id"] is not None, url  # every crawled article is in a story (issue 15)
    entities = {(r["url"], r["name"]) for r in db.query("select a.url, e.name from article_entities e join articles a on a.id = e.article_id")}
    italian = site_server.url(article_path(next(a for a in ALL_ARTICLES if a.slug == "truffa-falsi-operatori-bancari")))
    assert (italian, "Polizia di Stato") in entities


def test_listing_tag_and_error_pages_are_not_articles(full_crawl):
    db, site_server = full_crawl.db, full_crawl.server
    urls = {row["url"] for row in db.query("select url from articles")}
    for path in ("/", "/en/news/", "/en/news/?page=2", "/en/tag/cybercrime", "/en/news/2026/11/01/removed"):
        assert site_server.url(path) not in urls
    # pagination was followed: the page-2-only article was found through it
    assert "/en/news/?page=2" in full_crawl.paths
    assert site_server.url(article_path(EN_ARTICLES[2])) in urls


def test_robots_disallowed_paths_are_never_requested(full_crawl):
    assert "/robots.txt" in full_crawl.paths
    assert not [p for p in full_crawl.paths if p.startswith("/private/")]


def test_windows_1251_page_with_charset_only_in_header(tmp_path, site_server, site_sources):
    _, db = crawl(tmp_path, site_sources, "fixture-ru")
    article = next(a for a in RU_ARTICLES if a.slug == CP1251_SLUG)
    row = next(db.query("select * from articles where url like ?", [f"%{CP1251_SLUG}"]))
    assert row["title"] == article.title
    assert article.paragraphs[1] in row["text"]


def test_summary_runs_table_and_source_selection(tmp_path, site_server, site_sources):
    result, db = crawl(tmp_path, site_sources, "fixture-en")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("fixture-en: ok: pages ")
    assert "new 3" in result.stdout and "http_404 1" in result.stdout
    runs = list(db.query("select * from crawl_runs"))
    assert [r["source"] for r in runs] == ["fixture-en"]
    assert runs[0]["status"] == "ok" and runs[0]["articles_new"] == 3 and runs[0]["errors"] == 1
    assert {r["source"] for r in db.query("select source from articles")} == {"fixture-en"}
    assert db["sources"].count == 3


def test_second_crawl_skips_stored_articles(tmp_path, site_server, site_sources):
    crawl(tmp_path, site_sources, "fixture-it")
    site_server.log.clear()
    result, db = crawl(tmp_path, site_sources, "fixture-it")
    assert "new 0" in result.stdout and "skipped 2" in result.stdout
    assert site_server.paths() == ["/robots.txt", "/sitemap.xml"]
    assert db["articles"].count == 2


def test_fts_finds_articles_in_russian_and_english(full_crawl):
    db = full_crawl.db
    hits = list(db["articles"].search("киберпатруль"))
    assert [h["title"] for h in hits] == [RU_ARTICLES[2].title]
    hits = list(db["articles"].search("ransomware"))
    assert [h["title"] for h in hits] == [EN_ARTICLES[1].title]


def test_failed_source_does_not_stop_others_and_exits_nonzero(tmp_path, site_server, site_sources):
    dead = site_sources.read_text() + """
[[source]]
name = "dead"
country = "UZ"
kind = "news"
start_urls = ["http://127.0.0.1:9/news/"]
article_urls = '/news/\\\\d+$'
"""
    site_sources.write_text(dead)
    result, db = crawl(tmp_path, site_sources, "dead", "fixture-it")
    assert result.returncode == 1
    assert "dead: failed" in result.stdout
    assert "source dead failed" in result.stderr and "127.0.0.1:9" in result.stderr
    assert db["articles"].count == 2
    statuses = {r["source"]: r["status"] for r in db.query("select source, status from crawl_runs")}
    assert statuses == {"dead": "failed", "fixture-it": "ok"}
