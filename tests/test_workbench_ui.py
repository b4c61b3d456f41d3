"""The way into the workbench, in headless Chromium: the front page, the dashboard with its
charts drawn, the articles table's first screen, and the feeds listed apart from the queries.

Screenshots of the front page and the dashboard are kept in ``test-screenshots/`` (git-ignored)
so a person can look at what an analyst sees.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.conftest import ROOT
from tests.test_serve_browser import DB, browser, fixture_path, server  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-screenshots"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def page(browser):  # noqa: F811 - a laptop-sized window: "first screen" means this one
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def keep(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sql(server, query: str) -> list[dict]:  # noqa: F811
    url = f"{server}/{DB}.json?" + urllib.parse.urlencode({"sql": query, "_shape": "objects"})
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)["rows"]


def test_front_page_starts_the_day(server, page):  # noqa: F811
    page.goto(server + "/")
    keep(page, "front-page")
    hits = page.locator("section.newsmon-hits li")
    expected = sql(server, "select count(*) as n from (select 1 from watchlist_hits "
                           "where matched_at >= date('now') group by article, watchlist)")[0]["n"]
    assert expected > 0 and hits.count() == min(expected, 10)
    newest = page.locator("section.newsmon-newest tbody tr")
    assert newest.count() == 10
    top = sql(server, "select title_en, title from articles where published is not null "
                      "order by published desc, id desc limit 1")[0]
    assert (top["title_en"] or "(not translated yet)") in newest.first.inner_text()
    attention = page.locator("section.newsmon-attention").inner_text()
    failing = sql(server, "select source from source_health where consecutive_failures > 0")
    assert failing and all(row["source"] in attention for row in failing)
    queries = page.locator("section.newsmon-queries").inner_text()
    for title in ("Latest articles", "Search everything", "Watchlist hits", "Sources health"):
        assert title in queries
    assert page.locator("a[href$='/-/dashboards/overview']").count() == 1
    # every link on the front page answers
    for href in set(page.locator("a[href^='/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")):
        with urllib.request.urlopen(server + href, timeout=10) as response:
            assert response.status == 200, href


def test_front_page_article_link_opens_the_article(server, page):  # noqa: F811
    page.goto(server + "/")
    page.locator("section.newsmon-newest tbody tr a").first.click()
    page.wait_for_url(f"**/{DB}/articles/*")
    assert "Original" in page.content() or "original" in page.content()


def test_dashboard_draws_every_chart(server, page):  # noqa: F811
    page.goto(f"{server}/-/dashboards/overview")
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas")
    page.wait_for_load_state("networkidle")
    keep(page, "dashboard")
    charts = page.locator(".vega-embed")
    assert charts.count() == 4  # per country, per source, hits per day, backlog
    for index in range(charts.count()):
        assert charts.nth(index).locator("svg, canvas").count() >= 1
    body = page.locator("body").inner_text()
    assert "Watchlist hits today" in body and "Sources failing or silent" in body
    backlog = sql(server, "select count(*) as n from articles where translation_status in ('pending', 'no_model', 'failed') "
                          "or translation_status is null")[0]["n"]
    assert backlog > 0 and f"{backlog:,}" in body or str(backlog) in body


def test_articles_table_first_screen_shows_rows_with_the_reading_columns(server, page):  # noqa: F811
    page.goto(f"{server}/{DB}/articles")
    keep(page, "articles-first-screen")
    headers = [h.strip().split("\n")[0].split("\xa0")[0] for h in page.locator("table.rows-and-columns th").all_inner_texts()]
    assert headers[:8] == ["id", "published", "source", "title_en", "title", "lang", "script", "translation_status"]
    assert "content_hash" not in headers and "fetched_url" not in headers and "text" not in headers
    first_row = page.locator("table.rows-and-columns tbody tr").first.bounding_box()
    assert first_row["y"] + first_row["height"] <= VIEWPORT["height"]  # a row on the first screen
    # the internal columns are still one parameter away
    page.goto(f"{server}/{DB}/articles?_col=content_hash")
    assert page.locator("table.rows-and-columns th.col-content_hash").count() == 1


def test_database_page_lists_feeds_apart_from_queries(server, page):  # noqa: F811
    page.goto(f"{server}/{DB}")
    queries = page.locator("h2#queries + ul").inner_text()
    feeds = page.locator("h2#feeds + p + ul").inner_text()
    assert "Latest articles" in queries and "latest articles" not in feeds.split("—")[0]
    assert "Watchlist feed" not in queries and "newsmon — latest articles" not in queries
    assert "newsmon — latest articles" in feeds and "Watchlist feed" in feeds
