"""Publication times keep their zone and say where they came from; the original of a syndicated
text is the earliest published copy, whichever site is crawled first."""

from __future__ import annotations

import dataclasses
import html
from datetime import date

import pytest
import sqlite_utils

from crawler.extract import extract_article
from storage.records import Page
from tests.conftest import run_newsmon
from tests.fixtures.articles import RU_ARTICLES
from tests.fixtures.server import FixtureServer, Route
from tests.fixtures.sites import article_page, article_path, listing_page

TODAY = date.today().isoformat()
BODY = "".join(f"<p>{html.escape(p)}</p>" for p in RU_ARTICLES[0].paragraphs)


def _page(head: str = "", body_extra: str = "", url: str = "https://example.org/news/story") -> Page:
    return Page(url=url, source="s", html=f"<html lang='ru'><head><title>Новость</title>{head}</head><body><article>"
                                          f"<h1>Новость</h1>{body_extra}{BODY}</article></body></html>")


@pytest.mark.parametrize(
    ("head", "body_extra", "expected"),
    [
        ('<meta property="article:published_time" content="2026-11-20T10:35:00+05:00">', "",
         ("2026-11-20", "2026-11-20T10:35:00+05:00", "meta")),
        ('<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", '
         '"datePublished": "2026-11-20T05:35:00Z"}]}</script><meta name="date" content="2026-11-20">', "",
         ("2026-11-20", "2026-11-20T05:35:00+00:00", "json-ld")),
        ('<meta name="date" content="2026-11-20">', '<time datetime="2026-11-20T10:35:00.000+0500">20 Nov</time>',
         ("2026-11-20", "2026-11-20T10:35:00+05:00", "time")),  # a time beats a bare date
        ('<script type="application/ld+json">{not json</script>', "<p>Опубликовано 20.11.2026</p>",
         ("2026-11-20", None, "text")),
    ],
)
def test_publication_time_with_zone_and_where_it_came_from(head, body_extra, expected):
    article = extract_article(_page(head, body_extra))
    assert (article.published, article.published_at, article.published_source) == expected


def test_a_date_in_the_url_is_said_to_come_from_the_url():
    article = extract_article(_page(url="https://example.org/news/2026/11/20/story"))
    assert (article.published, article.published_at, article.published_source) == ("2026-11-20", None, "url")


def test_a_time_for_another_day_is_not_the_publication_time():
    """A comment's or a related story's <time> on another day does not lend the article its time."""
    article = extract_article(_page('<meta property="article:published_time" content="2026-11-20">',
                                    '<time datetime="2026-11-22T08:00:00+05:00">22 Nov</time>'))
    assert (article.published, article.published_at, article.published_source) == ("2026-11-20", None, "meta")


SOURCE = """
[[source]]
name = "{name}"
country = "UZ"
kind = "news"
start_urls = ["{base}/{name}/"]
article_urls = '/{name}/[\\w-]+$'
download_delay = 0
"""


def _crawl(tmp_path, sources: str, name: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(sources, encoding="utf-8")
    result = run_newsmon("crawl", "--no-translate", "--db", str(tmp_path / "n.db"), "--sources", str(path), name)
    assert result.returncode == 0, result.stderr


def test_original_is_the_earliest_published_copy_when_the_copy_is_crawled_first(tmp_path):
    """The outlet's copy (15:00 +05:00) is crawled a run before the agency's original (09:30 +05:00,
    the same day): the links are re-pointed to the original. Before, the first crawled stayed the original."""
    original = dataclasses.replace(RU_ARTICLES[0], published=TODAY)
    copy = dataclasses.replace(original, slug="copy-of-release",
                               paragraphs=("Как сообщает пресс-служба МВД:", *original.paragraphs, "Источник: МВД."))
    server = FixtureServer({"/robots.txt": Route("User-agent: *\n", content_type="text/plain")}).start()
    try:
        for name, article, time in (("outlet", copy, "T15:00:00+05:00"), ("agency", original, "T09:30:00+05:00")):
            path = f"/{name}/{article.slug}"
            server.routes[f"/{name}/"] = Route(listing_page("ru", []).replace("</main>", f'<a href="{path}">x</a></main>'))
            server.routes[path] = Route(article_page(article, []).replace(article_path(article), path).replace("T09:30:00+05:00", time))
        sources = SOURCE.format(name="outlet", base=server.base_url) + SOURCE.format(name="agency", base=server.base_url)
        _crawl(tmp_path, sources, "outlet")
        _crawl(tmp_path, sources, "agency")
    finally:
        server.stop()
    db = sqlite_utils.Database(tmp_path / "n.db")
    rows = {r["source"]: r for r in db.query("select id, source, duplicate_of, published, published_at, published_source from articles")}
    assert rows["agency"]["duplicate_of"] is None
    assert rows["outlet"]["duplicate_of"] == rows["agency"]["id"]
    assert rows["outlet"]["id"] < rows["agency"]["id"]  # stored first
    assert (rows["agency"]["published"], rows["agency"]["published_at"], rows["agency"]["published_source"]) == (
        TODAY, f"{TODAY}T09:30:00+05:00", "meta")
