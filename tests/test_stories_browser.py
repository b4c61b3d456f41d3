"""Stories and entities in ``newsmon serve``, in headless Chromium, on the fixture database.

The story page (``story_articles`` filtered on a story), a facet on an entity name, and
the places query a map reads (its JSON, with coordinates).
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request

import pytest

from tests.test_serve_browser import DB, browser, column, fixture_path, heading, page, server, shot  # noqa: F401

pytestmark = pytest.mark.browser


def test_story_page_lists_its_articles(server, page, fixture_path):  # noqa: F811
    with sqlite3.connect(fixture_path) as conn:
        story, title, articles = conn.execute(
            "select id, title, articles from stories where articles > 1 order by articles desc, id limit 1"
        ).fetchone()
        sources = {r[0] for r in conn.execute("select source from articles where story_id = ?", [story])}
    page.goto(f"{server}/{DB}/story_articles?story={story}")
    shot(page, "story-page")
    assert heading(page).startswith(f"{articles} row")
    assert set(column(page, "story_title")) == {title}
    assert set(column(page, "source")) == sources
    assert all(column(page, name) for name in ("lang", "published", "first_seen", "last_seen"))


def test_entity_facet_narrows_to_one_place(server, page):  # noqa: F811
    page.goto(f"{server}/{DB}/article_entities")
    facet = page.locator(".facet-info[data-column='name']")
    facet.get_by_role("link", name="Almaty", exact=True).click()
    page.wait_for_url("**name=Almaty**")
    shot(page, "entity-facet")
    assert set(column(page, "name")) == {"Almaty"}
    assert "Алматыда" in column(page, "form")
    assert set(column(page, "place_kind")) == {"city"}


def test_places_query_gives_a_map_its_coordinates(server):  # noqa: F811
    with urllib.request.urlopen(f"{server}/{DB}/places_last_7_days.json?_shape=array", timeout=10) as response:
        rows = json.load(response)
    almaty = next(r for r in rows if r["place"] == "Almaty")
    assert 43 < almaty["latitude"] < 44 and 76 < almaty["longitude"] < 78 and almaty["country"] == "KZ"


def test_places_are_on_a_map(server, page):  # noqa: F811
    """datasette-cluster-map draws the places query's rows (tiles may not load offline; markers do)."""
    page.goto(f"{server}/{DB}/places_last_7_days")
    page.locator(".leaflet-container").wait_for()
    page.locator(".leaflet-marker-icon").first.wait_for()
    shot(page, "places-map")
    assert page.evaluate("window.DATASETTE_CLUSTER_MAP_TILE_LAYER").startswith("https://")  # NEWSMON_MAP_TILES unset
    assert page.locator(".leaflet-marker-icon").count() >= 1
