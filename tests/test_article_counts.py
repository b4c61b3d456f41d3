"""Stored article counts (m690): exact after every kind of write, and the facets built on them.

The counts are kept by triggers; each step of an article's life (stored by the crawl's
``upsert_article``, translated, marked without model or as English, changed on its site
and re-identified, its source moved to another country, deleted) is followed by a
comparison of every stored count with a live ``group by``. The same life is run once
per trigger with that trigger dropped, and must then be caught.

The articles table's column facets come from those counts: the table's JSON (facet
values, counts, links, truncation) must be what Datasette's own ``group by`` gives, on
the same pages, and the real ``newsmon serve`` must show the right counts and filter
when a facet value is followed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import shutil
import sqlite3
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette

from newsmon.datasette_plugins.newsmon_facets import equality_filters
from newsmon.serve import PLUGINS_DIR, metadata_for
from storage import open_db
from storage.article_counts import FACET_COLUMNS, mismatches, refill
from storage.articles import upsert_article
from storage.records import Article
from storage.schema import migrations
from storage.translations import TranslationWrite, mark_original, mark_without_model, save_translations
from tests.fixture_db import build_fixture_db
from tests.serve_process import running_serve
from tests.test_serve_browser import DB, browser, fixture_path, page, server  # noqa: F401 - shared fixtures

COUNT_TRIGGERS = ["article_counts_ai", "article_counts_ad", "article_facet_counts_au", "article_day_counts_au"]


def article(i: int, **changes) -> Article:
    fields = {
        "url": f"https://counts.example/news/{i}", "source": "counts-uz", "title": f"Hodisa {i}",
        "text": f"Tuman ichki ishlar bo'limi xabar berdi: hodisa {i} bo'yicha tergov boshlandi.",
        "published": f"2026-11-{1 + i % 5:02d}", "lang": "uz", "script": "Latn", "lang_confidence": 0.9,
    }
    fields.update(changes)
    return Article(**fields)


def a_life_of_articles(db: sqlite_utils.Database, check) -> None:
    """Every kind of write the articles get, ``check()`` after each step."""
    with db.conn:
        db["sources"].insert_all([
            {"name": "counts-uz", "country": "UZ", "kind": "news", "language": "uz"},
            {"name": "counts-ru", "country": "RU", "kind": "police", "language": "ru"},
        ], pk="name")
    for i in range(12):
        upsert_article(db, article(i, source="counts-ru" if i % 3 == 0 else "counts-uz"), now="2026-11-20T08:00:00+00:00")
    upsert_article(db, article(12, published=None), now="2026-11-21T08:00:00+00:00")  # day from fetched_at
    check("stored")
    rows = {r["id"]: r for r in db.query("select id, content_hash from articles order by id")}
    ids = sorted(rows)
    save_translations(db, [TranslationWrite(id=i, content_hash=rows[i]["content_hash"], status="translated",
                                            title_en=f"Incident {i}", text_en="The district police reported.",
                                            engine="argos", model="test") for i in ids[:4]])
    check("translated")
    mark_without_model(db, ids[4:6], "no model for uz")
    mark_original(db, ids[6:7])
    check("marked")
    # The site changed the text: re-identified as Cyrillic Uzbek, another date, back to translation.
    upsert_article(db, article(1, text="Туман ички ишлар бўлими хабар берди: тергов бошланди.", script="Cyrl",
                               published="2026-10-30"), now="2026-11-22T08:00:00+00:00")
    check("changed on the site")
    with db.conn:  # language re-identified in place
        db.execute("update articles set lang = 'kk', script = 'Cyrl' where id = ?", [ids[2]])
    check("re-identified")
    with db.conn:  # no status and no script, as rows stored before either existed
        db.execute("update articles set translation_status = null, script = null where id in (?, ?)", [ids[3], ids[8]])
    check("nulls")
    with db.conn:  # an article moved to another source, and a source to another country
        db.execute("update articles set source = 'counts-ru' where id = ?", [ids[5]])
        db.execute("update sources set country = 'KZ', kind = 'ministry' where name = 'counts-uz'")
    check("moved")
    with db.conn:
        db.execute("delete from articles where id in (?, ?, ?)", [ids[0], ids[7], ids[12]])
    check("deleted")


def test_stored_counts_follow_every_write(tmp_path):
    db = open_db(tmp_path / "counts.db")
    steps = []

    def check(step: str) -> None:
        assert mismatches(db.conn) == [], step
        steps.append(step)

    a_life_of_articles(db, check)
    assert len(steps) == 8
    assert db.execute("select sum(articles) from article_facet_counts").fetchone()[0] == 10
    assert db.execute("select count(*) from article_facet_counts where articles <= 0").fetchone()[0] == 0
    assert db.execute("select count(*) from article_day_counts where articles <= 0").fetchone()[0] == 0


@pytest.mark.parametrize("trigger", COUNT_TRIGGERS)
def test_a_missing_trigger_is_caught(tmp_path, trigger):
    """Each trigger is needed: without it, some step of the same life leaves a wrong count."""
    db = open_db(tmp_path / "counts.db")
    db.execute(f"drop trigger {trigger}")
    found = []
    a_life_of_articles(db, lambda step: found.extend(mismatches(db.conn)))
    assert found


def test_the_migration_counts_what_an_older_database_holds(tmp_path):
    """A database from before m690: the migration fills the counts from the stored articles."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m690_article_counts")
    a_life_of_articles(db, lambda step: None)
    assert "article_facet_counts" not in db.table_names()
    db.close()
    db = open_db(path)
    assert db.execute("select sum(articles) from article_facet_counts").fetchone()[0] == 10
    assert mismatches(db.conn) == []
    # refill (a bulk load without triggers) gives the same
    before = db.execute("select * from article_facet_counts order by key").fetchall()
    with db.conn:
        refill(db.conn)
    assert db.execute("select * from article_facet_counts order by key").fetchall() == before


def test_only_equality_filters_on_counted_columns_use_the_counts():
    counted = FACET_COLUMNS
    assert equality_filters("", counted) == []
    assert equality_filters("lang=uz&_facet=script&_col=title&_sort_desc=published&_next=x", counted) == [("lang", "uz")]
    assert equality_filters("script__exact=Cyrl&_facet_date=published&_facet_size=max", counted) == [("script", "Cyrl")]
    for other in ("_search=police", "_where=1", "lang__not=ru", "lang__contains=r", "published=2026-11-01",
                  "_through={}", "_search_title=x", "lang=ru&story_id=3"):
        assert equality_filters(other, counted) is None, other


# --- the facets, through Datasette -------------------------------------------------------------

PAGES = [
    "", "lang=ru", "lang=uz&_facet=script", "lang=uz&script=Cyrl", "lang__exact=uz", "lang=ru&lang=uz",
    "translation_status=pending&_facet=lang", "source=uz-xabar&_col=title&_sort=published", "_facet_size=2",
    "_facet=published", "_facet_date=published&country=UZ", "_search=police", "lang__not=ru", "kind=police&_nocount=1",
]


@pytest.fixture(scope="module")
def two_databases(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture database, and a copy without the stored counts (so Datasette's own facets answer)."""
    path = tmp_path_factory.mktemp("counted") / "newsmon.db"
    build_fixture_db(path).close()
    plain = tmp_path_factory.mktemp("plain") / "newsmon.db"
    shutil.copy(path, plain)
    with sqlite3.connect(plain) as conn:
        conn.execute("drop table article_facet_counts")
    return path, plain


def run(coroutine):
    """``asyncio.run`` in a thread of its own: Playwright's sync API keeps a loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def facets_of(path: Path, query: str) -> dict:
    async def inner():
        ds = Datasette([str(path)], metadata=metadata_for(path), plugins_dir=str(PLUGINS_DIR),
                       settings={"suggest_facets": False})
        response = await ds.client.get(f"/newsmon/articles.json?{query}")
        assert response.status_code == 200, response.text
        data = response.json()
        return {"facet_results": data["facet_results"], "count": data["filtered_table_rows_count"]}

    return run(inner())


@pytest.mark.parametrize("query", PAGES)
def test_facets_from_counts_are_datasettes_own(two_databases, query):
    """Same values, counts, order, labels, links and truncation as Datasette's ``group by``."""
    counted, plain = two_databases
    found = facets_of(counted, query)
    assert found == facets_of(plain, query)
    if "_search" not in query and "lang=ru&lang=uz" not in query:
        assert set(FACET_COLUMNS) <= set(found["facet_results"]), "no facet timed out or went missing"


def test_facets_read_the_counts_not_the_articles(two_databases, monkeypatch):
    """Proof the counts are used: a count changed by hand shows on the page (then restored)."""
    counted, _ = two_databases
    with sqlite3.connect(counted) as conn:
        conn.execute("update article_facet_counts set articles = articles + 1000 where lang = 'ru'")
    try:
        ru = [v for v in facets_of(counted, "")["facet_results"]["lang"]["results"] if v["value"] == "ru"]
        assert ru[0]["count"] > 1000
        # a search is counted by Datasette from the matching rows
        searched = facets_of(counted, "_search=police")["facet_results"]["lang"]["results"]
        assert all(v["count"] < 1000 for v in searched)
    finally:
        with sqlite3.connect(counted) as conn:
            conn.execute("update article_facet_counts set articles = articles - 1000 where lang = 'ru'")


def test_served_facets_show_live_counts_and_their_links_filter(two_databases):
    """The real ``newsmon serve``: each facet value's count is a live count, and its link filters to it."""
    path, _ = two_databases
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with running_serve(path) as (base, _process):
        def get(url: str) -> dict:
            with urllib.request.urlopen(url, timeout=30) as response:
                return json.load(response)

        for query, where in (("", ""), ("lang=uz", " where lang = 'uz'")):
            page = get(f"{base}/newsmon/articles.json?{query}")
            assert set(page["facet_results"]) == set(FACET_COLUMNS)
            for column, facet in page["facet_results"].items():
                live = dict(conn.execute(f"select {column}, count(*) from articles{where} group by {column}").fetchall())
                for value in facet["results"]:
                    assert value["count"] == live[value["value"]], (query, column, value)
        ru = next(v for v in get(f"{base}/newsmon/articles.json")["facet_results"]["lang"]["results"] if v["value"] == "ru")
        parts = urllib.parse.urlsplit(ru["toggle_url"])
        assert parts.path == "/newsmon/articles.json" and ("lang", "ru") in urllib.parse.parse_qsl(parts.query)
        filtered = get(f"{base}{parts.path}?{parts.query}&_shape=objects&_size=max")
        assert filtered["filtered_table_rows_count"] == ru["count"] == len(filtered["rows"])
        assert {row["lang"] for row in filtered["rows"]} == {"ru"}
        selected = next(v for v in filtered["facet_results"]["lang"]["results"] if v["value"] == "ru")
        assert selected["selected"]
    conn.close()


@pytest.mark.browser
def test_facets_in_the_browser_show_live_counts_and_filter(server, page, fixture_path):  # noqa: F811
    """Headless Chromium on the real ``newsmon serve``: each facet's shown counts, then a click filters."""
    conn = sqlite3.connect(f"file:{fixture_path}?mode=ro", uri=True)
    page.goto(f"{server}/{DB}/articles")
    for column in FACET_COLUMNS:
        live = {str(k): n for k, n in conn.execute(f"select {column}, count(*) from articles group by {column}")}
        items = page.locator(f".facet-info[data-column='{column}'] ul.tight-bullets li:not(.facet-truncated)").all_inner_texts()
        assert items, column
        for text in items:
            value, _, count = text.strip().rpartition(" ")
            assert live[value.strip()] == int(count.replace(",", "")), (column, text)
    page.locator(".facet-info[data-column='lang']").get_by_role("link", name="ru", exact=True).click()
    page.wait_for_url("**lang=ru**")
    ru = conn.execute("select count(*) from articles where lang = 'ru'").fetchone()[0]
    assert page.locator("h3").first.inner_text().startswith(f"{ru} row")
    scripts = page.locator(".facet-info[data-column='script'] ul.tight-bullets li:not(.facet-truncated)").all_inner_texts()
    live = dict(conn.execute("select script, count(*) from articles where lang = 'ru' group by script").fetchall())
    assert {t.strip().rpartition(" ")[0].strip(): int(t.strip().rpartition(" ")[2]) for t in scripts} == live
    conn.close()


#: What the queries reading stored counts (or grouping in index order) computed before m690 and m691.
LIVE_QUERIES = {
    ("queries", "untranslated_summary"): """
        select lang, script, coalesce(translation_status, 'pending') as status, coalesce(translation_note, '') as why,
               count(*) as articles, max(coalesce(published, fetched_at)) as newest
        from articles where coalesce(translation_status, 'pending') not in ('translated', 'original')
        group by lang, script, status, why order by articles desc""",
    ("queries", "per_source_per_day"): """
        select substr(coalesce(published, fetched_at), 1, 10) as day, source, count(*) as articles,
               total(translation_status in ('translated', 'original')) as with_english
        from articles group by day, source order by day desc, source""",
    ("charts", "backlog"): """
        select coalesce(lang, '?') as lang, coalesce(translation_status, 'pending') as status, count(*) as articles
        from articles where translation_status in ('pending', 'no_model', 'failed') or translation_status is null
        group by lang, status order by articles desc, lang, status""",
    ("charts", "backlog-total"): """
        select count(*) as articles from articles
        where translation_status in ('pending', 'no_model', 'failed') or translation_status is null""",
}


@pytest.mark.parametrize(("kind", "name"), list(LIVE_QUERIES))
def test_queries_on_stored_counts_give_what_counting_the_articles_gives(tmp_path, kind, name):
    """Through every write of an article's life, on the fixture database (NULL statuses too)."""
    metadata = metadata_for(tmp_path / "newsmon.db")
    if kind == "queries":
        sql = metadata["databases"]["newsmon"]["queries"][name]["sql"]
    else:
        sql = metadata["plugins"]["datasette-dashboards"]["overview"]["charts"][name]["query"]
    db = build_fixture_db(tmp_path / "newsmon.db")
    results = []
    a_life_of_articles(db, lambda step: results.append(
        (step, sorted(db.execute(sql).fetchall(), key=repr), sorted(db.execute(LIVE_QUERIES[kind, name]).fetchall(), key=repr))))
    for step, stored, live in results:
        assert stored == live, step
    assert results[-1][1]


def test_a_later_page_counts_the_whole_selection_like_its_total(two_databases):
    """On ``_next=`` pages the facets count what the total counts (Datasette's own counted only the rest)."""
    counted, _ = two_databases

    async def inner():
        ds = Datasette([str(counted)], metadata=metadata_for(counted), plugins_dir=str(PLUGINS_DIR),
                       settings={"suggest_facets": False})
        first = (await ds.client.get("/newsmon/articles.json?lang=ru&_size=2")).json()
        later = (await ds.client.get(f"/newsmon/articles.json?lang=ru&_size=2&_next={first['next']}")).json()
        return first, later

    first, later = run(inner())
    assert first["next"] and later["filtered_table_rows_count"] == first["filtered_table_rows_count"]
    counts = {name: [(v["value"], v["count"]) for v in facet["results"]] for name, facet in first["facet_results"].items()}
    assert counts == {name: [(v["value"], v["count"]) for v in facet["results"]] for name, facet in later["facet_results"].items()}
