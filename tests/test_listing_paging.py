"""Hourly crawls stay flat on sites that send no 304s: a listing is paged only until a page
whose article links are all stored, once a complete run has walked it; ``--backfill`` walks on."""

from __future__ import annotations

import sqlite_utils

from tests.conftest import run_newsmon
from tests.fixtures.paged import site, sources_toml
from tests.fixtures.server import FixtureServer

def crawl(server, tmp_path, *args):
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(server.base_url), encoding="utf-8")
    server.log.clear()
    result = run_newsmon("crawl", "--db", str(tmp_path / "n.db"), "--sources", str(sources), "--no-translate", *args)
    assert result.returncode == 0, result.stderr
    return [p for p in server.paths() if p != "/robots.txt"]


def test_second_crawl_reads_one_listing_page_whatever_the_site_size(tmp_path):
    server = FixtureServer(site(40)).start()
    try:
        first = crawl(server, tmp_path)
        assert sum(p.startswith("/news/item-") for p in first) == 40
        assert sum(not p.startswith("/news/item-") for p in first) == 8  # every listing page

        second = crawl(server, tmp_path)
        assert second == ["/news/"]  # one page: all its articles are stored

        # three new articles push the listing: pages 1 and 2 have new links, page 3 is all known
        server.routes.update(site(43))
        third = crawl(server, tmp_path)
        assert sorted(p for p in third if p.startswith("/news/item-")) == ["/news/item-41", "/news/item-42", "/news/item-43"]
        assert [p for p in third if not p.startswith("/news/item-")] == ["/news/", "/news/?page=2"]

        backfill = crawl(server, tmp_path, "--backfill")
        assert sum(not p.startswith("/news/item-") for p in backfill) == 9  # walks to the end
        stored = sqlite_utils.Database(tmp_path / "n.db").execute("select count(*) from articles").fetchone()[0]
        assert stored == 43
    finally:
        server.stop()


def test_an_incomplete_first_run_is_walked_in_full_next_time(tmp_path):
    """A budget-cut run stores no listing validators: the next run pages to the end again."""
    server = FixtureServer(site(30)).start()
    try:
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(server.base_url, max_pages=12), encoding="utf-8")
        result = run_newsmon("crawl", "--db", str(tmp_path / "n.db"), "--sources", str(sources), "--no-translate")
        assert result.returncode == 0, result.stderr
        second = crawl(server, tmp_path)  # the same source without the page budget
        assert sum(not p.startswith("/news/item-") for p in second) == 6
        assert sqlite_utils.Database(tmp_path / "n.db").execute("select count(*) from articles").fetchone()[0] == 30
    finally:
        server.stop()
