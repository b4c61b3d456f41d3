"""Writes documented as one transaction are one: a failure halfway leaves nothing half-written."""

from __future__ import annotations

import sqlite3

import pytest

import storage.articles
import storage.watchlists
from storage import open_db
from storage.articles import ADHOC_SOURCE, ensure_adhoc_source, upsert_article
from storage.records import Article
from storage.watchlists import Watchlist, sync_watchlists

BODY = " ".join(f"Sentence {i} of the report on the regional water supply and its repairs." for i in range(12))


class Injected(RuntimeError):
    """The failure a test injects in the middle of a write."""


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "t.db")
    db["sources"].insert({"name": "src", "country": "KZ", "kind": "news"}, pk="name")
    yield db
    db.close()


def snapshot(db) -> dict[str, list]:
    """Every row of every table the article and watchlist writes touch."""
    tables = [t for t in db.table_names() if not t.startswith(("articles_fts", "articles_en_fts", "_sqlite"))]
    return {t: sorted(map(tuple, db.execute(f"select * from [{t}]").fetchall()), key=repr) for t in tables}


def article(text: str, *, url: str = "https://src.example/a", source: str = "src") -> Article:
    return Article(url=url, source=source, title="Water supply", text=text, lang="en")


def test_a_failed_update_leaves_the_stored_article_and_its_history_as_they_were(db):
    upsert_article(db, article(BODY))
    before = snapshot(db)
    # The update path writes the old version first; make the article UPDATE that follows it fail.
    db.execute("create temp trigger fail_update before update of text on articles begin select raise(abort, 'injected'); end")
    with pytest.raises(sqlite3.IntegrityError, match="injected"):
        upsert_article(db, article(BODY + " A correction was added."))
    assert not db.conn.in_transaction
    assert snapshot(db) == before  # no orphaned article_versions row, no half-updated indexes
    db.execute("drop trigger temp.fail_update")
    assert upsert_article(db, article(BODY + " A correction was added.")) == "updated"
    assert db.execute("select count(*) from article_versions").fetchone()[0] == 1


@pytest.mark.parametrize("source", ["src", ADHOC_SOURCE])  # ad hoc pages skip the chrome counts
def test_a_failure_after_a_new_article_is_inserted_stores_nothing_of_it(db, monkeypatch, source):
    ensure_adhoc_source(db)
    upsert_article(db, article(BODY, url="https://src.example/first", source=source))
    before = snapshot(db)

    def fail(*args, **kwargs):
        raise Injected("after the insert")

    # The last step of the new-article path: everything before it (chrome counts, the row, its
    # index and LSH rows, watchlist hits) has been written by then.
    monkeypatch.setattr(storage.articles, "clean_stored", fail)
    with pytest.raises(Injected):
        upsert_article(db, article(BODY.replace("water", "gas"), url="https://src.example/second", source=source))
    assert not db.conn.in_transaction
    assert snapshot(db) == before


def test_a_failed_sync_keeps_the_watchlists_that_were_stored(db, monkeypatch):
    upsert_article(db, article(BODY))
    sync_watchlists(db, [Watchlist(name="old", terms=("repairs",))])
    before = snapshot(db)
    recheck = storage.watchlists._recheck

    def fail_on_second(db, name, now):
        if name == "second":
            raise Injected("re-checking the second watchlist")
        return recheck(db, name, now)

    monkeypatch.setattr(storage.watchlists, "_recheck", fail_on_second)
    with pytest.raises(Injected):
        sync_watchlists(db, [Watchlist(name="first", terms=("water",)), Watchlist(name="second", terms=("supply",))])
    assert not db.conn.in_transaction
    assert snapshot(db) == before  # "first" is not stored, "old" not removed, no hits changed


def test_a_caller_transaction_contains_the_upsert(db):
    """Inside a caller's transaction the upsert is a savepoint: the caller's rollback undoes it."""
    before = snapshot(db)
    with pytest.raises(Injected):
        with db.atomic():
            upsert_article(db, article(BODY))
            raise Injected("the caller fails later")
    assert snapshot(db) == before
