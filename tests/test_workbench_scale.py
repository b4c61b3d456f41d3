"""The workbench at a million articles: every default facet, filter, sort and feed reads an index.

Speed itself is measured in BENCHMARKS.md ("At scale — the workbench",
``benchmarks/workbench_bench_http.py``); here the query plans that make it hold are
checked on the fixture database, the same plans SQLite picks at any size (no
statistics are gathered, so the plan does not depend on the row count).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from datasette.app import Datasette

from newsmon.datasette_plugins import newsmon_front_page as front_page
from newsmon.datasette_plugins.newsmon_front_page import opening_query
from newsmon.serve import SAFE_SETTINGS, bundled_metadata
from tests.fixture_db import build_fixture_db
from tests.serve_process import running_serve

#: Datasette 0.65's facet queries (datasette/facets.py), over the table page's SQL.
COLUMN_FACET = ("select {col} as value, count(*) as count from ({sql}) where {col} is not null "
                "group by {col} order by count desc, value limit 7")
DATE_FACET = ("select date({col}) as value, count(*) as count from ({sql}) where date({col}) is not null "
              "group by date({col}) order by count desc, value limit 7")
TABLE_SQL = "select * from articles"  # facets run over all columns (select_all_columns), whatever _col shows


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "newsmon.db"
    build_fixture_db(path).close()
    return path


@pytest.fixture(scope="module")
def conn(fixture_db) -> sqlite3.Connection:
    from newsmon.datasette_plugins.newsmon_workbench import prepare_connection

    connection = sqlite3.connect(f"file:{fixture_db}?mode=ro", uri=True)
    prepare_connection(connection)
    yield connection
    connection.close()


def reads_every_row(found: str) -> bool:
    """A plan step that scans the articles table itself (its rows, each with its text)."""
    return re.search(r"SCAN (articles|a)( |$)(?!USING)", found.replace(" / ", "\n"), re.MULTILINE) is not None


def plan(conn: sqlite3.Connection, sql: str, params: dict | None = None) -> str:
    return " / ".join(row[3] for row in conn.execute("explain query plan " + sql, params or {}))


def articles_facets() -> list[tuple[str, str]]:
    facets = bundled_metadata()["databases"]["newsmon"]["tables"]["articles"]["facets"]
    return [("date", f["date"]) if isinstance(f, dict) else ("column", f) for f in facets]


@pytest.mark.parametrize(("kind", "column"), articles_facets())
@pytest.mark.parametrize("where", ["", " where lang = 'uz'"])
def test_default_facets_are_counted_from_an_index(conn, kind, column, where):
    """Each facet the articles table shows, unfiltered and within one language, reads no article row.

    Reading rows meant reading past each article's text: the kind facet timed out at
    200,000 articles, and facets within a language took seconds.
    """
    if where and column not in ("lang", "script"):
        pytest.skip("within a language, only its scripts are promised (Uzbek is written in two)")
    template = DATE_FACET if kind == "date" else COLUMN_FACET
    found = plan(conn, template.format(col=column, sql=TABLE_SQL + where))
    assert "COVERING INDEX" in found and not reads_every_row(found), found


def test_newest_of_one_language_reads_its_index(conn):
    """``?lang=ru`` sorted by publication date, newest first: no sort of every Russian article."""
    found = plan(conn, TABLE_SQL + " where lang = 'ru' order by published desc, id limit 51")
    assert "articles_lang_published" in found and "TEMP B-TREE FOR ORDER BY" not in found, found


@pytest.mark.parametrize("query", ["latest_feed", "latest", "untranslated"])
def test_newest_first_queries_read_an_index_in_order(conn, query):
    """The latest feed and the by-date queries stop after their first rows (no sort of the table)."""
    sql = bundled_metadata()["databases"]["newsmon"]["queries"][query]["sql"]
    found = plan(conn, sql)
    assert "TEMP B-TREE FOR ORDER BY" not in found and not reads_every_row(found), found


def test_untranslated_summary_reads_only_the_untranslated(conn):
    """The untranslated summary reads the partial index of articles without English (m691), not every article."""
    sql = bundled_metadata()["databases"]["newsmon"]["queries"]["untranslated_summary"]["sql"]
    found = plan(conn, sql)
    assert "COVERING INDEX articles_untranslated" in found and not reads_every_row(found), found


def test_per_source_per_day_reads_the_stored_counts(conn):
    """Grouping every article by day and source took 0.8 s at a million: m690 keeps the counts."""
    sql = bundled_metadata()["databases"]["newsmon"]["queries"]["per_source_per_day"]["sql"]
    found = plan(conn, sql)
    assert "article_day_counts" in found and not re.search(r"\barticles\b", found), found


def test_watchlist_feed_groups_hits_from_an_index_before_reading_articles(conn):
    sql = bundled_metadata()["databases"]["newsmon"]["queries"]["watchlist_feed"]["sql"]
    found = plan(conn, sql, {"watchlist": "fraud"})
    assert "COVERING INDEX watchlist_hits_feed" in found, found
    assert not reads_every_row(found), found


def test_suggested_facets_are_off():
    """Suggestions counted every column of the page on each request."""
    assert SAFE_SETTINGS["suggest_facets"] == "off"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_common_word_search_opens_newest_first_without_count_and_facets():
    """Datasette's sort by date, total and facets each read every match of a common word."""
    common = opening_query("_col=title&_search=police", common_search=True)
    assert common == "_col=title&_search=police&_sort_desc=id&_nocount=1&_nofacet=1"
    assert opening_query("_col=title&_search=police&_sort=published", common_search=True) is None
    assert opening_query("_col=title&_search=police", common_search=False) is None


def test_common_words_are_told_from_the_index(fixture_db, monkeypatch):
    ds = Datasette([str(fixture_db)])
    monkeypatch.setattr(front_page, "COMMON_SEARCH", 1)
    assert asyncio.run(front_page.is_common_search(ds, fixture_db.stem, "_search=police"))
    assert not asyncio.run(front_page.is_common_search(ds, fixture_db.stem, "_search=police&_sort=published"))
    assert not asyncio.run(front_page.is_common_search(ds, fixture_db.stem, "_search=zzzqqq"))
    monkeypatch.setattr(front_page, "COMMON_SEARCH", 10_000)
    assert not asyncio.run(front_page.is_common_search(ds, fixture_db.stem, "_search=police"))


def test_rare_search_keeps_the_usual_page(fixture_db):
    """Over HTTP, through the real server: a search of a few matches is only given its columns."""
    opener = urllib.request.build_opener(NoRedirect)
    with running_serve(fixture_db) as (base, _process):
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(f"{base}/{fixture_db.stem}/articles?_search=police")
        assert redirect.value.code == 302
        location = redirect.value.headers["location"]
        assert "_col=title" in location and "_nofacet" not in location and "_sort_desc" not in location
        with urllib.request.urlopen(f"{base}/{fixture_db.stem}/articles?_search=police") as page:
            assert page.status == 200


def test_database_page_reads_the_hidden_tables_once(fixture_db, monkeypatch):
    """The guard asked Datasette for the hidden tables (three queries) for every table the page lists."""
    from datasette.database import Database

    from newsmon.serve import PLUGINS_DIR, metadata_for

    calls = []
    original = Database.hidden_table_names

    async def counted(self):
        calls.append(self.name)
        return await original(self)

    monkeypatch.setattr(Database, "hidden_table_names", counted)

    async def inner():
        ds = Datasette([str(fixture_db)], metadata=metadata_for(fixture_db), plugins_dir=str(PLUGINS_DIR))
        response = await ds.client.get(f"/{fixture_db.stem}")
        assert response.status_code == 200
        assert "articles_fts_data" not in response.text  # still hidden

    asyncio.run(inner())
    assert len(calls) <= 2, len(calls)  # Datasette's database view once, the guard once
