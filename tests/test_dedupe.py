"""Near-duplicate detection: copies with intros and sign-offs are linked, different stories on one topic never are.

The false-positive tests failed against the old hash family ``(a·x + b) mod (2^61−1)``
(73 of the 44,850 pairs of 300 generated stories scored 0.7 or more; copies scored as low as 0.23).
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from storage import open_db
from storage.articles import ADHOC_SOURCE, ensure_adhoc_source, upsert_article
from storage.dedupe import BANDS, MAX_BUCKET, PER_BAND, THRESHOLD, band_keys, copies_of, minhash, similarity, to_blob
from storage.records import Article
from storage.schema import migrations
from tests.fixtures.articles import EN_ARTICLES, IT_ARTICLES, RU_ARTICLES
from tests.fixtures.newsgen import Story, copy_of, stories

ALL = RU_ARTICLES + EN_ARTICLES + IT_ARTICLES


def test_republished_with_intro_or_sign_off_is_a_copy_and_a_candidate():
    for article in ALL:
        original = "\n".join(article.paragraphs)
        copies = (
            original + " Source: the press service of the regional police department.",
            "As the ministry reported on Tuesday,\n" + original,
        )
        for copy in copies:
            assert similarity(minhash(original), minhash(copy)) >= THRESHOLD
            assert set(band_keys(minhash(original))) & set(band_keys(minhash(copy)))
        assert (minhash(original) == minhash(original)).all()  # deterministic


def test_different_stories_are_not_copies():
    texts = ["\n".join(a.paragraphs) for a in ALL]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert similarity(minhash(a), minhash(b)) < 0.2


def test_unrelated_stories_on_one_topic_are_never_copies():
    """300 police and fraud stories in four languages, built from shared sentence templates
    (same-language pairs share 0.19 of their trigrams on average, up to 0.47): no pair may reach
    the threshold. The old hash family put some of these pairs at 1.0."""
    signatures = np.array([minhash(s.text) for s in stories(300, seed=5)])
    false_positives = 0
    worst = 0.0
    for i in range(len(signatures) - 1):
        scores = (signatures[i + 1 :] == signatures[i]).mean(axis=1)
        false_positives += int((scores >= THRESHOLD).sum())
        worst = max(worst, float(scores.max()))
    assert false_positives == 0, f"{false_positives} unrelated pairs scored >= {THRESHOLD} (worst {worst:.2f})"
    assert worst < 0.6


def test_copies_with_intro_and_sign_off_score_as_copies():
    rng = random.Random(9)
    originals = stories(200, seed=6)
    scores = [similarity(minhash(s.text), minhash(copy_of(s, rng))) for s in originals]
    assert min(scores) >= THRESHOLD


def _article(n: int, text: str, *, lang: str = "en", published: str | None = None, published_at: str | None = None) -> Article:
    return Article(url=f"https://example.org/news/{n}", source=ADHOC_SOURCE, title=f"Story {n}", text=text, lang=lang,
                   published=published or (published_at or "")[:10] or None, published_at=published_at)


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "d.db")
    ensure_adhoc_source(db)
    yield db
    db.close()


def _links(db) -> dict[str, int | None]:
    return {row["url"].rsplit("/", 1)[1]: row["duplicate_of"] for row in db.query("select url, duplicate_of from articles")}


def test_stored_stories_link_only_their_copies(db):
    """Through upsert_article into a SQLite file: 300 unrelated stories, then a copy of 100 of them."""
    rng = random.Random(11)
    originals = stories(300, seed=7)
    for n, story in enumerate(originals):
        upsert_article(db, _article(n, story.text, lang=story.lang))
    assert db.execute("select count(*) from articles where duplicate_of is not null").fetchone()[0] == 0
    ids = {row["url"]: row["id"] for row in db.query("select url, id from articles")}
    linked = 0
    for n, story in enumerate(originals[:100]):
        upsert_article(db, _article(1000 + n, copy_of(story, rng), lang=story.lang))
        row = db.execute("select duplicate_of from articles where url = ?", [f"https://example.org/news/{1000 + n}"]).fetchone()
        linked += row[0] == ids[f"https://example.org/news/{n}"]
    assert linked >= 97, f"recall {linked}/100"
    wrong = db.execute("select count(*) from articles where duplicate_of is not null and url not like '%/1___'").fetchone()[0]
    assert wrong == 0


def test_candidates_stay_bounded_in_a_large_cluster(db):
    rng = random.Random(12)
    story = stories(1, seed=8)[0]
    for n in range(60):
        upsert_article(db, _article(n, copy_of(story, rng)))
    signature = minhash(copy_of(story, rng))
    found = copies_of(db, signature)
    assert PER_BAND <= len(found) <= PER_BAND * BANDS
    assert db.execute("select max(n) from (select count(*) as n from article_lsh group by band, key)").fetchone()[0] == MAX_BUCKET
    assert {row["duplicate_of"] for row in db.query("select duplicate_of from articles where id > 1")} == {1}


def test_the_earliest_published_copy_is_the_original_whatever_the_crawl_order(db):
    story = stories(1, seed=21)[0]
    rng = random.Random(13)
    # The copies are crawled first; the original, published earlier, arrives last.
    upsert_article(db, _article(1, copy_of(story, rng), published_at="2026-11-20T12:00:00+05:00"))
    upsert_article(db, _article(2, copy_of(story, rng), published_at="2026-11-20T09:00:00+00:00"))
    assert _links(db) == {"1": None, "2": 1}  # 12:00+05:00 is 07:00 UTC: earlier than 09:00 UTC
    upsert_article(db, _article(3, story.text, published_at="2026-11-20T10:35:00+05:00"))  # 05:35 UTC
    assert _links(db) == {"1": 3, "2": 3, "3": None}
    # Same time, or no time: the first crawled stays the original.
    upsert_article(db, _article(4, copy_of(story, rng), published_at="2026-11-20T05:35:00+00:00"))
    upsert_article(db, _article(5, copy_of(story, rng)))
    assert _links(db) == {"1": 3, "2": 3, "3": None, "4": 3, "5": 3}
    # A date alone is earlier only on an earlier day.
    upsert_article(db, _article(6, copy_of(story, rng), published="2026-11-20"))
    upsert_article(db, _article(7, copy_of(story, rng), published="2026-11-19"))
    assert _links(db) == {"1": 7, "2": 7, "3": 7, "4": 7, "5": 7, "6": 7, "7": None}


def test_deleting_the_original_makes_the_earliest_remaining_copy_the_original(db):
    """An analyst deletes an article with SQL: its copies must not point at a row that is gone."""
    story = stories(1, seed=22)[0]
    rng = random.Random(14)
    upsert_article(db, _article(1, story.text, published_at="2026-11-20T06:00:00+00:00"))
    upsert_article(db, _article(2, copy_of(story, rng), published_at="2026-11-20T12:00:00+00:00"))
    upsert_article(db, _article(3, copy_of(story, rng), published_at="2026-11-20T13:00:00+05:00"))  # 08:00 UTC
    upsert_article(db, _article(4, copy_of(story, rng)))
    assert _links(db) == {"1": None, "2": 1, "3": 1, "4": 1}
    plain = sqlite3.connect(db.conn.execute("pragma database_list").fetchone()[2])
    with plain:
        plain.execute("delete from articles where id = 1")
    plain.close()
    assert _links(db) == {"2": 3, "3": None, "4": 3}
    assert db.execute("select count(*) from article_lsh where article_id = 1").fetchone()[0] == 0


def _wrong_links(db, originals: list[Story]) -> None:
    """Store stories and copies, then damage the links the way the old hash family did."""
    rng = random.Random(14)
    for n, story in enumerate(originals):
        upsert_article(db, _article(n, story.text, lang=story.lang))
    for n, story in enumerate(originals[:5]):
        upsert_article(db, _article(100 + n, copy_of(story, rng), lang=story.lang))
    with db.conn:
        db.execute("update articles set duplicate_of = 1 where id between 2 and 8")  # unrelated stories linked
        db.execute("update articles set duplicate_of = null where id = (select id from articles where url like '%/100')")
        db.execute("update articles set minhash = zeroblob(512) where id = 9")  # a stale signature
        db.execute("delete from article_lsh where article_id = 10")


def test_recheck_command_repairs_stored_links(db, tmp_path):
    originals = stories(20, seed=31)
    _wrong_links(db, originals)
    result = CliRunner().invoke(cli, ["dedupe", "--recheck", "--db", str(tmp_path / "d.db")])
    assert result.exit_code == 0, result.output
    assert "7 cleared, 1 set, 0 re-pointed" in result.output
    assert "5 copies of 5 originals" in result.output
    links = _links(db)
    assert all(links[str(n)] is None for n in range(20))
    for n in range(5):
        assert links[str(100 + n)] == n + 1  # ids start at 1
    assert db.execute("select count(*) from article_lsh where article_id = 10").fetchone()[0] == BANDS
    again = CliRunner().invoke(cli, ["dedupe", "--recheck", "--db", str(tmp_path / "d.db")])
    assert "0 signature(s) recomputed; duplicate links: 0 cleared, 0 set, 0 re-pointed" in again.output


def test_dedupe_command_on_a_missing_database_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["dedupe", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert result.output.strip().endswith("no such database")


def test_migration_recomputes_old_signatures_and_links(tmp_path):
    """A database at the old scheme (64 uint64 values, 16 bands, wrong links) is repaired on opening."""
    path = tmp_path / "old.db"
    db = open_db(path, migrate=False)
    migrations.apply(db, stop_before="m600_published_time")
    ensure_adhoc_source(db)
    with db.conn:
        for n, story in enumerate(stories(10, seed=41)):
            db["articles"].insert({"url": f"https://example.org/news/{n}", "source": ADHOC_SOURCE, "text": story.text,
                                   "fetched_at": "2026-11-01", "content_hash": str(n), "minhash": bytes(512),
                                   "duplicate_of": 1 if n else None})
            db.execute("insert into article_lsh (band, key, article_id) values (0, 0, ?)", [n + 1])
    db.close()
    db = open_db(path)
    assert db.execute("select count(*) from articles where duplicate_of is not null").fetchone()[0] == 0
    assert all(blob == to_blob(minhash(text)) for text, blob in db.execute("select text, minhash from articles"))
    assert db.execute("select count(*) from article_lsh").fetchone()[0] == 10 * BANDS
    with pytest.raises(sqlite3.IntegrityError):  # the covering primary key
        db.execute("insert into article_lsh (band, key, article_id) select band, key, article_id from article_lsh limit 1")
    db.close()


def test_recheck_refuses_to_run_beside_a_crawl(db, tmp_path):
    """The re-check takes the crawl lock: with a crawl running it exits 3 and changes nothing."""
    from newsmon.lock import crawl_lock

    with crawl_lock(tmp_path / "d.db"):
        result = CliRunner().invoke(cli, ["dedupe", "--recheck", "--db", str(tmp_path / "d.db")])
    assert result.exit_code == 3
    assert "another newsmon crawl" in result.output


def test_datasketch_is_imported_on_first_signature_only():
    """The CLI and an extraction worker's modules do not import datasketch (and, through it, scipy).

    A spawned extraction worker imports the ``newsmon`` script and ``crawler.steps`` and never
    computes a signature; datasketch's import cost 0.6 s of CPU in every worker of every crawl.
    """
    code = (
        "import sys, newsmon.cli, crawler.steps\n"
        "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))\n"
        "from storage.dedupe import minhash\n"
        "print(len(minhash('one two three four five')), 'datasketch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "128 True"]
