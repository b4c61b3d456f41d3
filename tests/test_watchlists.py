"""Watchlists: term matching (scripts, Uzbek apostrophes, stems, English stemming), hits kept
in step with article writes, and re-checking stored articles when a watchlist changes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from storage.records import Article
from newsmon.cli import cli
from newsmon.cli_workbench import BUNDLED_WATCHLISTS, sync_before_serving
from storage import open_db
from storage.articles import upsert_article
from storage.search import MATCH_NOTHING, SearchQueryError, search_query, term_query
from storage.watchlists import Watchlist, WatchlistError, load_watchlists, sync_watchlists

#: Ways Uzbek Latin writes the oʻ/gʻ letters: modifier turned comma, ASCII, backtick, quotes, modifier apostrophe.
APOSTROPHES = ["\u02bb", "'", "`", "\u2018", "\u2019", "\u02bc"]


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "w.db")
    with db.conn:
        db["sources"].insert({"name": "src", "country": "UZ", "kind": "police"}, pk="name")
    yield db
    db.close()


def store(db, key: str, title: str, text: str, *, lang: str = "uz") -> int:
    upsert_article(db, Article(url=f"https://src.example/{key}", source="src", title=title, text=text, lang=lang))
    return db.execute("select id from articles where url = ?", [f"https://src.example/{key}"]).fetchone()[0]


def translate(db, article_id: int, title_en: str | None, text_en: str | None) -> None:
    """Write English the way the translator does: one UPDATE of the English columns."""
    with db.conn:
        db["articles"].update(article_id, {"title_en": title_en, "text_en": text_en, "translation_status": "translated"})


def hits(db, article_id: int | None = None) -> set[tuple[str, str, str]]:
    where, params = ("where article = ?", [article_id]) if article_id is not None else ("", [])
    return {(r[0], r[1], r[2]) for r in db.execute(f"select watchlist, term, matched_in from watchlist_hits {where}", params)}


def watch(db, *terms: str, name: str = "w") -> None:
    sync_watchlists(db, [Watchlist(name=name, terms=terms)])


# --- queries -------------------------------------------------------------------------------

def test_term_query_quotes_words_and_keeps_a_final_star_as_prefix():
    assert term_query("o'g'irlik") == '"o\'g\'irlik"'
    assert term_query("краж*") == '"краж" *'
    assert term_query('  "data   breach" ') == '"data breach"'
    with pytest.raises(SearchQueryError):
        term_query("*")
    with pytest.raises(SearchQueryError):
        term_query(" - ")


def test_search_query_never_yields_fts_syntax(db):
    for typed in ["o'g'irlik", 'say "hello', "a - b", "NOT OR AND", "(x", "краж* OR theft", "", "***", "c'est-à-dire"]:
        query = search_query(typed)
        db.execute("select count(*) from articles_fts where articles_fts match ?", [query]).fetchone()
    assert search_query("   ") == MATCH_NOTHING
    assert search_query("кража OR theft") == '"кража" OR "theft"'


# --- matching at ingest -----------------------------------------------------------------------

@pytest.mark.parametrize("text_mark", APOSTROPHES)
@pytest.mark.parametrize("term_mark", ["'", "\u02bb", "\u2019"])
def test_uzbek_apostrophe_variants_match_each_other(db, text_mark, term_mark):
    watch(db, f"o{term_mark}g{term_mark}irlik")
    article = store(db, "a", "Xabar", f"Bozorda o{text_mark}g{text_mark}irlik sodir etildi.")
    assert hits(db, article) == {("w", f"o{term_mark}g{term_mark}irlik", "original")}


def test_apostrophe_position_still_matters(db):
    # o'g'irlik (theft) and og'irlik (weight) differ only in one apostrophe.
    watch(db, "o'g'irlik")
    weight = store(db, "weight", "Yuk", "Mashinaning og\u2018irligi va og\u2018irlik nazorati.")
    assert hits(db, weight) == set()


def test_cyrillic_case_insensitive_and_prefix_stems(db):
    watch(db, "краж*", "ўғирл*", "ұрл*")
    ru = store(db, "ru", "КРАЖИ в метро", "Полиция раскрыла серию краж.", lang="ru")
    uz = store(db, "uz", "Ўғирланган автомобиль топилди", "Автомобиль эгасига қайтарилди.")
    kk = store(db, "kk", "Көлік ұрлығы ашылды", "Топ ұсталды.", lang="kk")
    assert hits(db, ru) == {("w", "краж*", "original")}
    assert hits(db, uz) == {("w", "ўғирл*", "original")}
    assert hits(db, kk) == {("w", "ұрл*", "original")}


def test_terms_are_whole_words_in_their_own_script(db):
    watch(db, "кража", "o'g'irlik")
    # no star: кражи is another word; Latin and Cyrillic Uzbek are separate terms (no transliteration)
    ru = store(db, "ru", "Кражи", "Серия кражи.", lang="ru")
    uz_cyrl = store(db, "uzc", "Ўғирлик", "Бозорда ўғирлик содир этилди.")
    assert hits(db, ru) == set() and hits(db, uz_cyrl) == set()


def test_phrases_and_accents(db):
    watch(db, "data breach", "perche")
    store(db, "en1", "A data breach at the bank", "Details follow.", lang="en")
    store(db, "en2", "Breach of data rules", "Data was not leaked.", lang="en")
    store(db, "it", "Perché è successo", "Spiegazione.", lang="it")
    matched = {row[0] for row in db.execute("select a.url from watchlist_hits h join articles a on a.id = h.article")}
    assert matched == {"https://src.example/en1", "https://src.example/it"}


def test_english_matched_with_stemming_when_the_translation_arrives(db):
    watch(db, "theft")
    article = store(db, "ru", "Кражи в метро", "Полиция раскрыла серию краж.", lang="ru")
    assert hits(db, article) == set()
    translate(db, article, "Thefts on the metro", "Police solved a series of thefts.")
    assert hits(db, article) == {("w", "theft", "english")}
    snippet = db.execute("select snippet from watchlist_hits where article = ?", [article]).fetchone()[0]
    assert "⟦Thefts⟧" in snippet or "⟦thefts⟧" in snippet


def test_english_originals_match_in_both_texts(db):
    watch(db, "ransomware")
    article = store(db, "en", "Ransomware gang arrested", "Police arrested a ransomware gang.", lang="en")
    assert hits(db, article) == {("w", "ransomware", "original"), ("w", "ransomware", "english")}


def test_changed_article_keeps_continuing_hits_and_drops_stale_ones(db):
    watch(db, "o'g'irl*", "firibgar*")
    article = store(db, "a", "Oʻgʻirlik", "Bozorda oʻgʻirlik sodir etildi.")
    first = db.execute("select matched_at from watchlist_hits where article = ?", [article]).fetchone()[0]
    with db.conn:
        db.execute("update watchlist_hits set matched_at = '2026-01-01T00:00:00+00:00'")  # an older first match
    # the site edits the article: still a theft, now also a fraud
    store(db, "a", "Oʻgʻirlik", "Bozorda oʻgʻirlik sodir etildi. Firibgarlar ushlandi.")
    rows = {r[0]: r[1] for r in db.execute("select term, matched_at from watchlist_hits where article = ?", [article])}
    assert rows["o'g'irl*"] == "2026-01-01T00:00:00+00:00"
    assert rows["firibgar*"] >= first
    # and edits again: no theft any more
    store(db, "a", "Firibgarlik", "Firibgarlar ushlandi.")
    assert hits(db, article) == {("w", "firibgar*", "original")}


def test_article_delete_removes_its_hits_and_index_rows(db):
    watch(db, "ransomware")
    article = store(db, "en", "Ransomware", "Ransomware again.", lang="en")
    with db.conn:
        db.execute("delete from articles where id = ?", [article])
    assert hits(db) == set()
    assert db.execute("select count(*) from articles_fts where articles_fts match 'ransomware'").fetchone()[0] == 0


def test_ingest_matches_exactly_what_a_search_of_the_whole_index_finds(db):
    """Ingest matches each new article alone (a one-row probe index); re-checking runs the same
    terms through the whole index. Both must find the same hits with the same snippets."""
    terms = ("o'g'irl*", "краж*", "data breach", "theft", "perche", "firibgar*", "ұрл*", "police station",
             "утечк* данных", "ransomware", "stolen", "fraud*")
    watch(db, *terms)
    texts = [
        ("Oʻgʻirlik va firibgarlik", "Bozorda o`g`irlik sodir etildi. Firibgarlar ushlandi.", "uz"),
        ("КРАЖИ в метро", "Полиция раскрыла серию краж. Утечка данных не подтвердилась.", "ru"),
        ("A data breach at the police station", "Data was stolen; the breach, a data breach, was reported.", "en"),
        ("Perché è successo", "Spiegazione della frode e del furto.", "it"),
        ("Көлік ұрлығы", "Топ ұсталды. Ұрлық туралы.", "kk"),
        ("Nothing here", "A quiet day at the station; police were elsewhere.", "en"),
    ]
    ids = [store(db, f"k{i}", title, text, lang=lang) for i, (title, text, lang) in enumerate(texts)]
    translate(db, ids[1], "Thefts on the metro", "Police solved a series of thefts and a data breach.")
    translate(db, ids[3], "Why it happened", "An explanation of the fraud and the theft.")
    store(db, "k0", "Oʻgʻirlik", "Bozorda oʻgʻirlik sodir etildi.")  # changed: the fraud hit goes

    def found() -> set[tuple]:
        return set(db.execute("select article, watchlist, term, matched_in, snippet from watchlist_hits").fetchall())

    at_ingest = found()
    assert {(r[0], r[2]) for r in at_ingest} >= {(ids[0], "o'g'irl*"), (ids[1], "краж*"), (ids[2], "data breach")}
    assert (ids[0], "firibgar*") not in {(r[0], r[2]) for r in at_ingest}
    with db.conn:
        db.execute("delete from watchlist_hits")  # so that the re-check builds every snippet again
    sync_watchlists(db, [Watchlist(name="w", terms=terms)], recheck_all=True)
    assert found() == at_ingest


def test_ingest_matches_terms_without_reading_the_search_index(db):
    """Each term used to run over the whole of articles_fts for every new article, so storing
    one cost more as the table grew (254 ms at 200,000 articles). Matching now reads only
    the probe holding the new article: what SQLite is asked to read shows it."""
    watch(db, "fraud*", "краж*", "data breach")
    store(db, "old", "Fraud ring", "The fraud ring was caught.", lang="en")
    read: set[str] = set()

    def authorizer(action, table, column, database, trigger):
        if action == sqlite3.SQLITE_READ:
            read.add(table)
        return sqlite3.SQLITE_OK

    db.conn.set_authorizer(authorizer)  # also makes SQLite prepare every statement again
    try:
        new = store(db, "new", "Fraudsters caught", "Police caught the fraudsters after a data breach.", lang="en")
        translate(db, store(db, "ru", "Кражи", "Серия краж.", lang="ru"), "Thefts", "A series of frauds.")
    finally:
        db.conn.set_authorizer(None)
    assert hits(db, new) == {("w", "fraud*", "original"), ("w", "fraud*", "english"),
                             ("w", "data breach", "original"), ("w", "data breach", "english")}
    assert read & {"articles_fts", "articles_en_fts"} == set()


# --- re-checking stored articles ---------------------------------------------------------------

def test_adding_and_changing_a_watchlist_rechecks_stored_articles(db):
    theft = store(db, "a", "Oʻgʻirlik", "Bozorda oʻgʻirlik sodir etildi.")
    fraud = store(db, "b", "Мошенники задержаны", "Полиция задержала мошенников.", lang="ru")
    assert hits(db) == set()  # no watchlist yet

    report = sync_watchlists(db, [Watchlist(name="crime", terms=("o'g'irlik",))])
    assert report.added == ["crime"] and report.rechecked == {"crime": 1}
    assert hits(db) == {("crime", "o'g'irlik", "original")}
    with db.conn:
        db.execute("update watchlist_hits set matched_at = '2026-01-01T00:00:00+00:00'")

    report = sync_watchlists(db, [Watchlist(name="crime", terms=("o'g'irlik", "мошенни*"))])
    assert report.changed == ["crime"]
    assert hits(db) == {("crime", "o'g'irlik", "original"), ("crime", "мошенни*", "original")}
    kept = db.execute("select matched_at from watchlist_hits where article = ?", [theft]).fetchone()[0]
    assert kept == "2026-01-01T00:00:00+00:00"  # the continuing hit keeps its first match time

    report = sync_watchlists(db, [Watchlist(name="crime", terms=("мошенни*",))])
    assert hits(db) == {("crime", "мошенни*", "original")}
    assert db.execute("select term from watchlist_terms").fetchall() == [("мошенни*",)]

    # new articles are matched with the current terms at ingest
    later = store(db, "c", "Мошенничество", "Новая схема мошенничества.", lang="ru")
    assert hits(db, later) == {("crime", "мошенни*", "original")}
    assert hits(db, fraud) == {("crime", "мошенни*", "original")}


def test_unchanged_watchlists_are_not_rechecked_and_removed_ones_lose_their_hits(db):
    store(db, "a", "Oʻgʻirlik", "Bozorda oʻgʻirlik sodir etildi.")
    lists = [Watchlist(name="theft", terms=("o'g'irlik",)), Watchlist(name="fraud", terms=("firibgar*",))]
    sync_watchlists(db, lists)
    report = sync_watchlists(db, lists)
    assert report.unchanged == ["theft", "fraud"] and report.rechecked == {}
    report = sync_watchlists(db, lists, recheck_all=True)
    assert report.rechecked == {"theft": 1, "fraud": 0}
    report = sync_watchlists(db, lists[1:])
    assert report.removed == ["theft"]
    assert hits(db) == set()
    assert [r[0] for r in db.execute("select name from watchlists")] == ["fraud"]


# --- the file --------------------------------------------------------------------------------

def write(tmp_path: Path, text: str, *, name: str = "watchlists.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_watchlists_file_is_valid():
    watchlists = load_watchlists(BUNDLED_WATCHLISTS)
    assert watchlists and all(wl.terms for wl in watchlists)
    scripts = {"Cyrl" if any("\u0400" <= ch <= "\u04ff" for ch in t) else "Latn" for wl in watchlists for t in wl.terms}
    assert scripts == {"Cyrl", "Latn"}


@pytest.mark.parametrize(
    "entry, message",
    [
        ('name = "Bad Name"\nterms = ["x"]', "watchlist Bad Name: key 'name'"),
        ('name = "a"\nterms = []', "watchlist a: key 'terms'"),
        ('name = "a"\nterms = ["ok", "--"]', "watchlist a: key 'terms': term '--' has no letter or digit"),
        ('name = "a"\nterm = ["x"]', "watchlist a: unknown key 'term'"),
        ('name = "a"\nterms = "x"', "watchlist a: key 'terms'"),
    ],
)
def test_invalid_entries_name_the_watchlist_and_key(tmp_path, entry, message):
    path = write(tmp_path, f"[[watchlist]]\n{entry}\n")
    with pytest.raises(WatchlistError) as info:
        load_watchlists(path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)


def test_duplicate_names_and_missing_file(tmp_path):
    path = write(tmp_path, '[[watchlist]]\nname = "a"\nterms = ["x"]\n[[watchlist]]\nname = "a"\nterms = ["y"]\n')
    with pytest.raises(WatchlistError, match="watchlist a: key 'name' is used twice"):
        load_watchlists(path)
    with pytest.raises(WatchlistError, match="not found"):
        load_watchlists(tmp_path / "missing.toml")


def test_cli_sync_then_list(tmp_path):
    db_path = tmp_path / "cli.db"
    db = open_db(db_path)
    with db.conn:
        db["sources"].insert({"name": "src", "country": "RU", "kind": "news"}, pk="name")
    store(db, "a", "Мошенники задержаны", "Полиция задержала мошенников.", lang="ru")
    db.close()
    path = write(tmp_path, '[[watchlist]]\nname = "fraud"\nterms = ["мошенни*", "fraud*"]\n')
    runner = CliRunner()
    result = runner.invoke(cli, ["watchlists", "list", "--db", str(db_path), "--watchlists", str(path)])
    assert result.exit_code == 0 and "not synced yet" in result.output
    result = runner.invoke(cli, ["watchlists", "sync", "--db", str(db_path), "--watchlists", str(path)])
    assert result.exit_code == 0, result.output
    assert "fraud: added, 1 hit(s)" in result.output
    # plain `newsmon watchlists` lists, with the database and file from the environment
    result = runner.invoke(cli, ["watchlists"], env={"NEWSMON_DB": str(db_path), "NEWSMON_WATCHLISTS": str(path)})
    assert result.exit_code == 0 and "fraud" in result.output and "1 hit(s) in 1 article(s)" in result.output
    path.write_text('[[watchlist]]\nname = "fraud"\nterms = ["fraud*"]\n', encoding="utf-8")
    result = runner.invoke(cli, ["watchlists", "list", "--db", str(db_path), "--watchlists", str(path)])
    assert "changed in the file" in result.output
    result = runner.invoke(cli, ["watchlists", "sync", "--db", str(db_path), "--watchlists", str(path)])
    assert "fraud: changed, 0 hit(s)" in result.output
    path.write_text('[[watchlist]]\nname = "Fraud"\nterms = ["x"]\n', encoding="utf-8")
    result = runner.invoke(cli, ["watchlists", "sync", "--db", str(db_path), "--watchlists", str(path)])
    assert result.exit_code == 2 and "watchlist Fraud: key 'name'" in result.output


def test_serve_refuses_an_invalid_watchlists_file_before_starting(tmp_path):
    path = write(tmp_path, '[[watchlist]]\nname = "x"\nterms = ["***"]\n')
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "s.db"), "--watchlists", str(path), "--port", "1"])
    assert result.exit_code == 2
    assert f"{path}: watchlist x: key 'terms'" in result.output


def test_serve_without_a_file_keeps_watchlists_synced_from_the_analysts_file(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSMON_WATCHLISTS", raising=False)
    db_path = tmp_path / "serve.db"
    bundled = {wl.name for wl in load_watchlists(BUNDLED_WATCHLISTS)}

    def stored() -> set[str]:
        db = open_db(db_path)
        try:
            return {row[0] for row in db.execute("select name from watchlists")}
        finally:
            db.close()

    sync_before_serving(db_path, None)  # a new database is seeded with the bundled watchlists
    assert stored() == bundled
    own = write(tmp_path, '[[watchlist]]\nname = "mine"\nterms = ["phishing"]\n')
    sync_before_serving(db_path, str(own))
    assert stored() == {"mine"}
    sync_before_serving(db_path, None)  # a later plain `newsmon serve` must not undo that
    assert stored() == {"mine"}
    other = write(tmp_path, '[[watchlist]]\nname = "other"\nterms = ["ransomware"]\n', name="other.toml")
    monkeypatch.setenv("NEWSMON_WATCHLISTS", str(other))
    sync_before_serving(db_path, None)
    assert stored() == {"other"}
