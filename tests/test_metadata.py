"""The bundled Datasette metadata, tested against data (the fixture database).

Every table, view and column an analyst sees has a description; nothing documented is
missing from the database; every canned query runs, read-only, and the feeds return the
columns datasette-atom needs; ``newsmon serve`` stays safe by default.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasette.app import Datasette

from newsmon.cli import cli
from newsmon.serve import PLUGINS_DIR, TEMPLATES_DIR, SAFE_SETTINGS, datasette_command, metadata_for, stored_watchlists
from tests.fixture_db import build_fixture_db

ATOM_COLUMNS = {"atom_id", "atom_title", "atom_updated"}
PARAMS = {"q": "o'g'irlik", "watchlist": "theft"}


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("metadata") / "newsmon.db"
    build_fixture_db(path).close()
    return path


@pytest.fixture(scope="module")
def metadata(fixture_db) -> dict:
    return metadata_for(fixture_db, watchlists=stored_watchlists(fixture_db))


@pytest.fixture(scope="module")
def db_config(metadata, fixture_db) -> dict:
    return metadata["databases"][fixture_db.stem]


@pytest.fixture(scope="module")
def visible(fixture_db, metadata) -> dict[str, list[str]]:
    """Tables and views Datasette shows (its own notion of hidden), with their columns."""

    async def inner():
        ds = Datasette([str(fixture_db)], metadata=metadata)
        db = ds.get_database(fixture_db.stem)
        hidden = set(await db.hidden_table_names())
        names = [t for t in await db.table_names() if t not in hidden] + await db.view_names()
        return {name: await db.table_columns(name) for name in names}

    return asyncio.run(inner())


def read_only(path: Path) -> sqlite3.Connection:
    """As Datasette opens it, with the SQL function newsmon's plugin registers."""
    from newsmon.datasette_plugins.newsmon_workbench import prepare_connection

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    prepare_connection(conn)
    conn.row_factory = sqlite3.Row
    return conn


def run_query(path: Path, sql: str, **params) -> list[sqlite3.Row]:
    conn = read_only(path)
    try:
        return conn.execute(sql, {**PARAMS, **params}).fetchall()
    finally:
        conn.close()


def test_every_visible_table_and_column_is_described(visible, db_config):
    tables = db_config["tables"]
    assert {"articles", "sources", "crawl_runs", "watchlists", "watchlist_hits"} <= set(visible)
    missing = []
    for table, columns in visible.items():
        config = tables.get(table, {})
        if not config.get("description"):
            missing.append(f"table {table}")
        described = config.get("columns", {})
        missing += [f"column {table}.{c}" for c in columns if not described.get(c)]
    assert not missing, "describe these in newsmon/metadata.yml: " + ", ".join(missing)


def test_nothing_documented_is_missing_from_the_database(fixture_db, db_config):
    conn = sqlite3.connect(fixture_db)
    existing = {r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
    for table, config in db_config["tables"].items():
        assert table in existing, f"metadata describes {table}, which the database does not have"
        columns = {r[1] for r in conn.execute(f"pragma table_xinfo([{table}])")}
        stale = set(config.get("columns", {})) - columns
        assert not stale, f"metadata describes {table}.{sorted(stale)}, which do not exist"
        options = [config.get("sort"), config.get("sort_desc"), config.get("label_column"), config.get("fts_pk")]
        options += [f if isinstance(f, str) else next(iter(f.values())) for f in config.get("facets", [])]
        for column in filter(None, options):
            assert column in columns, f"{table}: option refers to missing column {column}"
        if config.get("fts_table"):
            assert config["fts_table"] in existing
    conn.close()


def test_analysts_facets_sort_and_hidden_tables(db_config, visible):
    articles = db_config["tables"]["articles"]
    facets = {f if isinstance(f, str) else f"{next(iter(f))}:{next(iter(f.values()))}" for f in articles["facets"]}
    # no default date facet: counting a million dates took 0.5 s per page (BENCHMARKS.md "At scale")
    assert {"source", "country", "kind", "lang", "script", "translation_status"} <= facets
    assert articles["sort_desc"] == "published" and articles["label_column"] == "title"
    for internal in ("_sqlite_migrations", "watchlist_terms", "articles_fts", "articles_en_fts", "url_state"):
        assert internal not in visible


def test_every_canned_query_runs_read_only(fixture_db, db_config):
    queries = db_config["queries"]
    assert {"latest", "search", "per_source_per_day", "untranslated", "sources_health", "hits",
            "latest_feed", "watchlist_feed"} <= set(queries)
    tables = set(db_config["tables"])
    assert not tables & set(queries), "a canned query with a table's name hides the table page"
    for name, query in queries.items():
        assert not query.get("write"), f"{name}: newsmon serve is read-only"
        assert query.get("title") and query.get("description"), name
        rows = run_query(fixture_db, query["sql"])
        assert rows, f"canned query {name} returned nothing on the fixture database"
        if name.endswith("feed") or name.startswith("watchlist_feed"):
            assert ATOM_COLUMNS <= set(rows[0].keys()), name
            assert all(row["atom_updated"].endswith("+00:00") for row in rows), name  # feedgen needs a timezone


def test_one_feed_per_watchlist(fixture_db, db_config):
    names = [name for name, _ in stored_watchlists(fixture_db)]
    assert names == ["fraud", "ransomware", "theft"]
    for name in names:
        query = db_config["queries"][f"watchlist_feed_{name}"]
        assert ":watchlist" not in query["sql"] and name in query["title"]
        rows = run_query(fixture_db, query["sql"])
        expected = {r[0] for r in sqlite3.connect(fixture_db).execute(
            "select distinct a.url from watchlist_hits h join articles a on a.id = h.article where h.watchlist = ?", [name])}
        assert {row["atom_id"] for row in rows} == expected


def test_watchlist_feed_without_hits_is_still_a_feed(fixture_db, db_config):
    rows = run_query(fixture_db, db_config["queries"]["watchlist_feed"]["sql"], watchlist="no-such-list")
    assert [row["atom_title"] for row in rows] == ["No hits yet for watchlist no-such-list"]


@pytest.mark.parametrize(
    "typed, expected_key, column",
    [
        ("o'g'irlik", "uz-phone-theft", "original_snippet"),  # ASCII apostrophe finds oʻgʻirlik
        ("o‘g‘irl*", "uz-phone-theft", "original_snippet"),  # quote-mark variant, prefix
        ("thefts", "uz-phone-theft", "english_snippet"),  # English stemming: theft/thefts
        ("мошенников", "ru-cyberpatrol", "original_snippet"),
        ("фирибгар*", "uz-samarkand-fraud", "original_snippet"),
        ("алаяқтары", "kz-almaty-online-fraud", "original_snippet"),
        ("perche OR truffa", "it-sms-truffa", "original_snippet"),
    ],
)
def test_search_everything(fixture_db, db_config, typed, expected_key, column):
    rows = run_query(fixture_db, db_config["queries"]["search"]["sql"], q=typed)
    urls = [row["original_url"] for row in rows]
    assert any(url.endswith("/" + expected_key) for url in urls), (typed, urls)
    row = next(row for row in rows if row["original_url"].endswith("/" + expected_key))
    assert "⟦" in row[column] and "⟧" in row[column]


def test_search_everything_does_not_confuse_similar_uzbek_words(fixture_db, db_config):
    urls = [row["original_url"] for row in run_query(fixture_db, db_config["queries"]["search"]["sql"], q="o'g'irlik")]
    assert not any(url.endswith("/uz-overloaded-lorries") for url in urls)  # og‘irlik: weight, not theft
    assert run_query(fixture_db, db_config["queries"]["search"]["sql"], q="") == []


def test_untranslated_query_says_why(fixture_db, db_config):
    rows = run_query(fixture_db, db_config["queries"]["untranslated"]["sql"])
    why = {row["original_url"].rsplit("/", 1)[1]: (row["status"], row["why"]) for row in rows}
    assert why["kz-almaty-online-fraud"] == ("no_model", "no installed translation model for kk→en")
    assert why["it-gioielleria"][0] == "failed" and "empty text" in why["it-gioielleria"][1]
    assert why["uz-andijan-car"] == ("pending", "waiting for the next translation run")
    assert all(status not in ("translated", "original") for status, _ in why.values())


def test_serve_is_safe_by_default(tmp_path):
    command = datasette_command(tmp_path / "x.db", host="127.0.0.1", port=8001, metadata_path=tmp_path / "m.json")
    settings = dict(zip(command[command.index("--setting") + 1::3], command[command.index("--setting") + 2::3]))
    assert settings == SAFE_SETTINGS and int(settings["sql_time_limit_ms"]) <= 5000
    assert "--template-dir" in command and (TEMPLATES_DIR / "row.html").exists()
    assert "--plugins-dir" in command and (PLUGINS_DIR / "newsmon_workbench.py").exists()
    assert not any(arg in command for arg in ("--cors", "--root", "-i", "--immutable"))
    host = next(p for p in cli.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"
    assert "--watchlists" in CliRunner().invoke(cli, ["serve", "--help"]).output
